package io.footfall.app.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code footfall standalone} in a child JVM, so the crash suite and tests can SIGTERM or SIGKILL it like an
 * operator or a crash would. Ports are chosen free before the first start and kept across restarts; stderr
 * goes to {@code <data-dir>-stderr.log}.
 */
public final class StandaloneProcess implements AutoCloseable {

    private final Process process;
    private final int collectorPort;
    private final int queryPort;
    private final String bootstrapServers;

    private StandaloneProcess(Process process, int collectorPort, int queryPort, String bootstrapServers) {
        this.process = process;
        this.collectorPort = collectorPort;
        this.queryPort = queryPort;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts {@code io.footfall.app.Main standalone} with this JVM's class path, on free ports. */
    public static StandaloneProcess start(Path dataDir, String... extraArgs) throws IOException, InterruptedException {
        return start(List.of("io.footfall.app.Main"), dataDir, freePort(), freePort(), extraArgs);
    }

    /**
     * Starts {@code <mainClass> standalone ...} in a child JVM with this JVM's class path and waits until it
     * prints "standalone ready".
     *
     * @param main the main class (and arguments before {@code standalone}); a test may pass a variant
     */
    public static StandaloneProcess start(List<String> main, Path dataDir, int collectorPort, int queryPort,
                                          String... extraArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-cp", System.getProperty("java.class.path")));
        command.addAll(main);
        command.addAll(List.of("standalone",
                "--data-dir", dataDir.toString(), "--collector-port", Integer.toString(collectorPort),
                "--admin-port", Integer.toString(queryPort), "--partitions", "3"));
        command.addAll(List.of(extraArgs));
        java.nio.file.Files.createDirectories(dataDir.toAbsolutePath().getParent());
        java.io.File log = dataDir.resolveSibling(dataDir.getFileName() + "-stderr.log").toFile();
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log))
                .start();
        CountDownLatch ready = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<String> bootstrap = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    java.util.regex.Matcher broker = BROKER_LINE.matcher(line);
                    if (broker.find()) {
                        bootstrap.set(broker.group(1));
                    }
                    if (line.contains("standalone ready")) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the process went away; the caller sees that through waitFor/ready
            }
        }, "standalone-stdout");
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(90, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("standalone did not become ready; see " + dataDir + "-stderr.log");
        }
        return new StandaloneProcess(process, collectorPort, queryPort, bootstrap.get());
    }

    private static final java.util.regex.Pattern BROKER_LINE = java.util.regex.Pattern.compile("broker ready at (\\S+)");

    /** The embedded broker's address, as the child printed it. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public int collectorPort() {
        return collectorPort;
    }

    public int queryPort() {
        return queryPort;
    }

    /** SIGTERM, then wait for the process to finish its orderly shutdown. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("standalone did not stop within 90 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush — a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
