package io.footfall.app.reliability;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * footfall in distributed mode on one machine, one child JVM per role: {@code footfall broker}, then
 * {@code loader} (with its query server), {@code enricher} and {@code collector} against it. Each role has
 * its own data dir under {@code dir} and its own stderr log beside it. The broker can be stopped and started
 * again on the same port and data dir while the roles keep running, and each role can be killed and started
 * again on the same data dir and ports while the others keep running.
 *
 * <p>The enricher and the loader are static group members ({@code group.instance.id}, one id per instance),
 * as an operator running each role under a supervisor should configure them: a restarted instance takes its
 * partitions back at once instead of waiting for the dead one's session to expire.
 */
final class DistributedFootfall implements AutoCloseable {

    /** The roles in start order; stopped in reverse. */
    static final List<String> ROLES = List.of("loader", "enricher", "collector");
    private static final List<String> STOP_ORDER = List.of("collector", "enricher", "loader");

    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final int brokerPort;
    private final int collectorPort;
    private final int queryPort;
    private ChildJvm broker;
    /** Per role: its heap and command, to start it again after a kill. */
    private final Map<String, RoleCommand> commands = new LinkedHashMap<>();
    private final Map<String, ChildJvm> roles = new LinkedHashMap<>();

    private record RoleCommand(String heap, List<String> args) {
    }

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
        return start(dir, Map.of("collector", collectorMain), collectorHeap, collectorSettings);
    }

    /**
     * As above, with the main class of any role replaced ({@code role → class}; the others run
     * {@code io.footfall.app.Main}); tests pass fault-injected variants.
     */
    static DistributedFootfall start(Path dir, Map<String, String> mains, String collectorHeap, List<String> collectorSettings)
            throws IOException, InterruptedException {
        DistributedFootfall cluster = new DistributedFootfall(dir);
        try {
            cluster.startBroker();
            cluster.define(mains, collectorHeap, collectorSettings);
            for (String role : ROLES) {
                cluster.startRole(role);
            }
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

    private void define(Map<String, String> mains, String collectorHeap, List<String> collectorSettings) {
        Map<String, List<String>> settings = Map.of(
                "loader", List.of("query.port=" + queryPort, "kafka.client.group.instance.id=footfall-loader-1"),
                "enricher", List.of("kafka.client.main.consumer.group.instance.id=footfall-enricher-1", "enricher.adminPort=0"),
                "collector", concat(List.of("collector.host=127.0.0.1", "collector.port=" + collectorPort), collectorSettings));
        for (String role : ROLES) {
            String main = mains.getOrDefault(role, "io.footfall.app.Main");
            commands.put(role, new RoleCommand(role.equals("collector") ? collectorHeap : "512m",
                    role(main, role, settings.get(role))));
        }
    }

    /** Starts a role (again, after a kill: same data dir, same ports) and waits for its ready line. */
    void startRole(String role) throws IOException, InterruptedException {
        RoleCommand command = commands.get(role);
        if (command == null) {
            throw new IllegalArgumentException("no such role: " + role + " (one of " + ROLES + ")");
        }
        roles.put(role, ChildJvm.start(role, command.heap(), command.args(), dir.resolve(role + "-stderr.log"),
                role + " ready", START_TIMEOUT));
    }

    /** SIGKILL to one role's process: no shutdown hook, no flush, no commit — a crash. */
    void killRole(String role) throws InterruptedException {
        ChildJvm child = roles.get(role);
        if (child == null) {
            throw new IllegalArgumentException("no such role: " + role + " (one of " + ROLES + ")");
        }
        child.kill();
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
        ChildJvm collector = roles.get("collector");
        return collector != null && collector.alive();
    }

    /** The loader's DuckDB file; read it only after {@link #stopRoles()}. */
    Path duckDbFile() {
        return dir.resolve("loader").resolve("footfall.duckdb");
    }

    /** SIGTERM to the collector, enricher and loader in that order (each drains or commits what it has). */
    void stopRoles() throws InterruptedException {
        for (String role : STOP_ORDER) {
            ChildJvm child = roles.get(role);
            if (child != null && child.alive()) {
                child.terminate(STOP_TIMEOUT);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (String role : STOP_ORDER) {
            ChildJvm child = roles.get(role);
            if (child != null && child.alive()) {
                child.kill();
            }
        }
        if (broker != null && broker.alive()) {
            broker.kill();
        }
    }
}
