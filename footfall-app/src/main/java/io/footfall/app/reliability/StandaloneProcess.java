package io.footfall.app.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code footfall standalone} in a child JVM, so the crash suite and tests can SIGTERM or SIGKILL it like an
 * operator or a crash would. Ports are chosen free before the first start and kept across restarts; stderr
 * goes to {@code <data-dir>-stderr.log}.
 */
public final class StandaloneProcess implements AutoCloseable {

    private final ChildJvm process;
    private final int collectorPort;
    private final int queryPort;
    private final String bootstrapServers;

    private StandaloneProcess(ChildJvm process, int collectorPort, int queryPort, String bootstrapServers) {
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
        List<String> command = new ArrayList<>(main);
        command.addAll(List.of("standalone",
                "--data-dir", dataDir.toString(), "--collector-port", Integer.toString(collectorPort),
                "--admin-port", Integer.toString(queryPort), "--partitions", "3"));
        command.addAll(List.of(extraArgs));
        ChildJvm child = ChildJvm.start("standalone", "768m", command,
                dataDir.resolveSibling(dataDir.getFileName() + "-stderr.log"), "standalone ready", Duration.ofMinutes(4));
        String bootstrap = child.lines().stream().map(BROKER_LINE::matcher).filter(Matcher::find)
                .map(m -> m.group(1)).findFirst().orElse(null);
        return new StandaloneProcess(child, collectorPort, queryPort, bootstrap);
    }

    private static final Pattern BROKER_LINE = Pattern.compile("broker ready at (\\S+)");

    /** The embedded broker's address, as the child printed it. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * A loopback port free now, for a child to bind later: below the range the kernel gives outgoing
     * connections (32768–60999 on Linux), where a port from {@code new ServerSocket(0)} lies — there the
     * child's own Kafka connections could take it before the child binds it (seen once in CI: "admin port
     * cannot be bound").
     */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12_000);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (java.net.BindException taken) {
                // another one
            }
        }
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
        return process.terminate(Duration.ofSeconds(90));
    }

    /** SIGKILL: no shutdown hook, no flush — a crash. */
    public void kill() throws InterruptedException {
        process.kill();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.alive()) {
            kill();
        }
    }
}
