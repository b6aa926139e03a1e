package io.footfall.app.testing;

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
 * {@code footfall standalone} in a child JVM, so tests can SIGTERM or SIGKILL it like an operator or a
 * crash would. Ports are chosen free before start; stdout/stderr go to files in the data dir's parent.
 */
public final class StandaloneProcess implements AutoCloseable {

    private final Process process;
    private final int collectorPort;
    private final int queryPort;

    private StandaloneProcess(Process process, int collectorPort, int queryPort) {
        this.process = process;
        this.collectorPort = collectorPort;
        this.queryPort = queryPort;
    }

    /** Starts and waits until it prints "standalone ready". */
    public static StandaloneProcess start(Path dataDir, String... extraArgs) throws IOException, InterruptedException {
        int collectorPort = freePort();
        int queryPort = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-cp", System.getProperty("java.class.path"), "io.footfall.app.Main", "standalone",
                "--data-dir", dataDir.toString(), "--collector-port", Integer.toString(collectorPort),
                "--admin-port", Integer.toString(queryPort), "--partitions", "3"));
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command)
                .redirectError(dataDir.resolveSibling(dataDir.getFileName() + "-stderr.log").toFile())
                .start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
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
        return new StandaloneProcess(process, collectorPort, queryPort);
    }

    static int freePort() throws IOException {
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
