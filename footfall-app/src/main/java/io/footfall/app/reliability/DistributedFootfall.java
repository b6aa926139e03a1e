package io.footfall.app.reliability;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * footfall in distributed mode on one machine, one child JVM per role: {@code footfall broker}, then
 * {@code collector}, {@code enricher} and {@code loader} (with its query server) against it. Each role has
 * its own data dir under {@code dir} and its own stderr log beside it. The broker can be stopped and started
 * again on the same port and data dir while the roles keep running.
 */
final class DistributedFootfall implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final int brokerPort;
    private final int collectorPort;
    private final int queryPort;
    private ChildJvm broker;
    private ChildJvm collector;
    private ChildJvm enricher;
    private ChildJvm loader;

    private DistributedFootfall(Path dir) throws IOException {
        this.dir = dir;
        this.brokerPort = StandaloneProcess.freePort();
        this.collectorPort = StandaloneProcess.freePort();
        this.queryPort = StandaloneProcess.freePort();
    }

    /**
     * Starts the broker, then the three roles side by side.
     *
     * @param collectorMain   main class of the collector child; tests pass fault-injected variants
     * @param collectorHeap   the collector's -Xmx, the heap bound the suites check
     * @param collectorSettings extra {@code key=value} settings for the collector only
     */
    static DistributedFootfall start(Path dir, String collectorMain, String collectorHeap, List<String> collectorSettings)
            throws IOException, InterruptedException {
        DistributedFootfall cluster = new DistributedFootfall(dir);
        try {
            cluster.startBroker();
            cluster.startRoles(collectorMain, collectorHeap, collectorSettings);
            return cluster;
        } catch (IOException | RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
    }

    void startBroker() throws IOException, InterruptedException {
        broker = ChildJvm.start("broker", "768m", List.of("io.footfall.app.Main", "broker",
                        "--data-dir", dir.resolve("broker").toString(), "--port", Integer.toString(brokerPort), "--partitions", "3"),
                dir.resolve("broker-stderr.log"), "broker ready at", START_TIMEOUT);
    }

    private void startRoles(String collectorMain, String collectorHeap, List<String> collectorSettings)
            throws IOException, InterruptedException {
        List<String> loaderArgs = role("io.footfall.app.Main", "loader", List.of("query.port=" + queryPort));
        List<String> collectorArgs = role(collectorMain, "collector", concat(List.of("collector.host=127.0.0.1",
                "collector.port=" + collectorPort), collectorSettings));
        loader = ChildJvm.start("loader", "512m", loaderArgs, dir.resolve("loader-stderr.log"), "loader ready", START_TIMEOUT);
        enricher = ChildJvm.start("enricher", "512m", role("io.footfall.app.Main", "enricher", List.of()),
                dir.resolve("enricher-stderr.log"), "enricher ready", START_TIMEOUT);
        collector = ChildJvm.start("collector", collectorHeap, collectorArgs, dir.resolve("collector-stderr.log"),
                "collector ready", START_TIMEOUT);
    }

    private List<String> role(String main, String name, List<String> settings) {
        List<String> args = new ArrayList<>(List.of(main, name));
        for (String setting : concat(List.of("kafka.bootstrapServers=" + bootstrapServers(),
                "dataDir=" + dir.resolve(name)), settings)) {
            args.add("--set");
            args.add(setting);
        }
        return args;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Stops the broker: SIGKILL (a crash) or SIGTERM (an orderly stop, as an operator or a host reboot does). */
    void stopBroker(boolean kill) throws InterruptedException {
        if (kill) {
            broker.kill();
        } else {
            broker.terminate(STOP_TIMEOUT);
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    int collectorPort() {
        return collectorPort;
    }

    int queryPort() {
        return queryPort;
    }

    boolean collectorAlive() {
        return collector.alive();
    }

    /** The loader's DuckDB file; read it only after {@link #stopRoles()}. */
    Path duckDbFile() {
        return dir.resolve("loader").resolve("footfall.duckdb");
    }

    /** SIGTERM to the collector, enricher and loader in that order (each drains or commits what it has). */
    void stopRoles() throws InterruptedException {
        for (ChildJvm role : new ChildJvm[]{collector, enricher, loader}) {
            if (role != null && role.alive()) {
                role.terminate(STOP_TIMEOUT);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (ChildJvm child : new ChildJvm[]{collector, enricher, loader, broker}) {
            if (child != null && child.alive()) {
                child.kill();
            }
        }
    }
}
