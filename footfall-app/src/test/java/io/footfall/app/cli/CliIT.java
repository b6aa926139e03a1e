package io.footfall.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a user meets it, in a real child JVM: each bad flag, bad value or broken environment
 * gives one clear line naming the problem, a non-zero exit code, no stack trace, and no process left behind.
 */
class CliIT {

    @TempDir
    Path dir;

    record Result(int exitCode, String stdout, String stderr) {
        String firstErrorLine() {
            return stderr.lines().filter(l -> l.startsWith("footfall:")).findFirst().orElse("(none) stderr was:\n" + stderr);
        }
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.footfall.app.Main"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        // Read both streams fully: the process exits on its own (that is part of what is tested).
        var out = process.getInputStream();
        var err = process.getErrorStream();
        var stdout = new java.util.concurrent.CompletableFuture<String>();
        var stderr = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> stdout.complete(readAll(out))).start();
        new Thread(() -> stderr.complete(readAll(err))).start();
        boolean exited = process.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        assertTrue(exited, "footfall " + String.join(" ", args) + " did not exit by itself");
        return new Result(process.exitValue(), stdout.join(), stderr.join());
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    private static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void assertNoStackTrace(Result r) {
        assertFalse(r.stderr.lines().anyMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by")),
                "no stack trace expected, stderr:\n" + r.stderr);
    }

    /**
     * On PostgreSQL the backup is PostgreSQL's own: the command says so from the configuration alone, as restore does,
     * rather than first asking for the token of a running loader's data directory.
     */
    @Test
    void backupOnPostgresPointsToPgDumpAtOnce() throws Exception {
        Result r = run("backup", "--data-dir", dir.resolve("no-such-dir").toString(), "--set", "loader.warehouse=postgres",
                "--set", "loader.jdbcUrl=jdbc:postgresql://127.0.0.1:5432/test", "--set", "loader.schema=footfall");
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals("footfall: configuration error: loader.warehouse is postgres: back up its schema with PostgreSQL's tools"
                + " (pg_dump --schema=footfall); the loader's offsets are in the same schema, so a restored dump resumes loading"
                + " where it was taken", r.firstErrorLine());
        assertNoStackTrace(r);
    }

    @Test
    void helpListsTheCommands() throws Exception {
        Result r = run("--help");
        assertEquals(0, r.exitCode);
        for (String command : new String[]{"standalone", "collector", "enricher", "loader", "server", "config"}) {
            assertTrue(r.stdout.contains(command), command + " missing from help:\n" + r.stdout);
        }
    }

    @Test
    void unknownFlagIsOneLineAndExitCode2() throws Exception {
        Result r = run("standalone", "--collector-prot=8080");
        assertEquals(2, r.exitCode);
        assertEquals("footfall: Unknown option: '--collector-prot=8080'", r.firstErrorLine());
        assertNoStackTrace(r);
    }

    @Test
    void badConfigValueNamesTheKey() throws Exception {
        Result r = run("standalone", "--data-dir", dir.toString(), "--set", "collector.maxEventBytes=huge");
        assertEquals(2, r.exitCode);
        assertEquals("footfall: configuration error: collector.maxEventBytes: must be a size such as 1048576, 512kb or 64mb, got 'huge'",
                r.firstErrorLine());
        assertNoStackTrace(r);
    }

    @Test
    void benchConfiguresItsOwnStandaloneLikeStandaloneDoes() throws Exception {
        Result r = run("bench", "--data-dir", dir.toString(), "--duration", "1s", "--set", "loader.batchDelay=soon");
        assertEquals(2, r.exitCode);
        assertEquals("footfall: configuration error: loader.batchDelay: must be a duration such as 500ms, 10s, 30m or 24h, got 'soon'",
                r.firstErrorLine());
        assertNoStackTrace(r);
    }

    @Test
    void missingConfigFileIsAClearError() throws Exception {
        Result r = run("standalone", "--config", dir.resolve("absent.yaml").toString());
        assertEquals(2, r.exitCode);
        assertEquals("footfall: configuration error: config file " + dir.resolve("absent.yaml") + ": does not exist",
                r.firstErrorLine());
    }

    @Test
    void collectorPortInUseStopsEverythingAndExits() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
            Result r = run("standalone", "--data-dir", dir.resolve("data").toString(), "--admin-port", "0",
                    "--collector-port", Integer.toString(taken.getLocalPort()));
            assertEquals(1, r.exitCode);
            assertEquals("footfall: cannot start: collector.port 0.0.0.0:" + taken.getLocalPort()
                    + " cannot be bound: already in use or not permitted; set another collector.port, or 0 for a free one",
                    r.firstErrorLine());
            assertNoStackTrace(r);
            assertFalse(r.stdout.contains("ready"), "refused before anything started: " + r.stdout);
        }
    }

    /**
     * A loader whose query port is taken stops before it reaches Kafka (here, an address where nothing answers): it
     * would otherwise join the loaders' group, take partitions and give them back, two rebalances for the others.
     */
    @Test
    void loaderQueryPortInUseStopsBeforeJoiningAnything() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Result r = run("loader", "--set", "kafka.bootstrapServers=127.0.0.1:1", "--set", "kafka.startTimeout=30s",
                    "--set", "dataDir=" + dir.resolve("loader"), "--set", "query.port=" + taken.getLocalPort());
            assertEquals(1, r.exitCode);
            assertEquals("footfall: cannot start: query.port 127.0.0.1:" + taken.getLocalPort()
                    + " cannot be bound: already in use or not permitted; set another query.port, or 0 for a free one", r.firstErrorLine());
            assertFalse(r.stdout.contains("waiting for Kafka"), "refused before Kafka is asked: " + r.stdout);
            assertNoStackTrace(r);
        }
    }

    /** The query server (like replay and promote) says which database it cannot reach, and by which setting. */
    @Test
    void serverWithAnUnreachableDatabaseNamesIt() throws Exception {
        Result r = run("server", "--set", "kafka.bootstrapServers=127.0.0.1:1", "--set", "loader.warehouse=postgres",
                "--set", "loader.jdbcUrl=jdbc:postgresql://127.0.0.1:1/test?password=secret", "--set", "query.port=0",
                "--set", "dataDir=" + dir.resolve("server"));
        assertEquals(1, r.exitCode);
        assertTrue(r.firstErrorLine().startsWith("footfall: cannot start: PostgreSQL at jdbc:postgresql://127.0.0.1:1/test?password="
                + "****** (loader.jdbcUrl) cannot be reached: Connection"), r.firstErrorLine());
        assertFalse(r.stderr.contains("secret"), "the password stays out of the message");
        assertNoStackTrace(r);
    }

    @Test
    void brokerPortInUseIsOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Result r = run("broker", "--data-dir", dir.resolve("broker").toString(), "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(1, r.exitCode);
            assertEquals("footfall: cannot start: Kafka port 127.0.0.1:" + taken.getLocalPort()
                    + " cannot be bound: already in use or not permitted", r.firstErrorLine());
            assertNoStackTrace(r);
        }
    }

    /**
     * A replay reads the standalone's own broker log: while the standalone runs, it must refuse before its
     * broker touches that log (it used to rewrite the running broker's metadata log first, which left the
     * standalone spinning and unable to stop). Negative control, run by hand: without the lock check the
     * running broker's quorum-state file changes.
     */
    @Test
    void replayOnADataDirInUseRefusesAndLeavesTheRunningBrokerAlone() throws Exception {
        Path data = dir.resolve("data");
        try (io.footfall.app.testing.TestBroker running = io.footfall.app.testing.TestBroker.start(data, 1)) {
            Path quorumState = data.resolve("kafka").resolve("__cluster_metadata-0").resolve("quorum-state");
            String before = Files.readString(quorumState);
            Result r = run("replay", "--data-dir", data.toString(), "--from", "earliest", "--table", "events_v2");
            assertEquals(before, Files.readString(quorumState), "the running broker's metadata log is untouched");
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    java.util.Map.of("bootstrap.servers", running.bootstrapServers()))) {
                assertTrue(admin.listTopics().names().get(10, TimeUnit.SECONDS).contains("footfall.raw"),
                        "the running broker still answers");
            }
            assertEquals(1, r.exitCode);
            assertEquals("footfall: cannot start: the broker of " + data + " cannot start (is standalone running? stop it "
                    + "first, or set kafka.bootstrapServers): Kafka data directory " + data.resolve("kafka")
                    + " is in use by another process (a running standalone or footfall broker on the same data dir)",
                    r.firstErrorLine());
            assertNoStackTrace(r);
        }
    }

    @Test
    void dataDirThatCannotBeCreatedIsAClearError() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Result r = run("standalone", "--data-dir", file.resolve("data").toString());
        assertEquals(1, r.exitCode);
        assertTrue(r.firstErrorLine().startsWith("footfall: cannot start: data directory " + file.resolve("data")
                + " cannot be created"), r.firstErrorLine());
        assertNoStackTrace(r);
    }

    @Test
    void corruptWarehouseFileIsAClearError() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("footfall.duckdb"), "this is not a DuckDB database ".repeat(400));
        Result r = run("standalone", "--data-dir", data.toString(), "--collector-port", "0", "--admin-port", "0");
        assertEquals(1, r.exitCode);
        assertTrue(r.firstErrorLine().startsWith("footfall: cannot start: DuckDB file " + data.resolve("footfall.duckdb")
                + " cannot be opened"), r.firstErrorLine());
        assertNoStackTrace(r);
    }

    @Test
    void unreachableExternalBrokerIsAClearError() throws Exception {
        int closedPort = closedPort();
        Result r = run("collector", "--set", "kafka.bootstrapServers=127.0.0.1:" + closedPort,
                "--set", "kafka.startTimeout=2s", "--set", "collector.port=0");
        assertEquals(1, r.exitCode);
        assertEquals("footfall: cannot start: Kafka at 127.0.0.1:" + closedPort + " (kafka.bootstrapServers) did not answer within 2 s (kafka.startTimeout)",
                r.firstErrorLine());
        assertNoStackTrace(r);
    }

    @Test
    void loaderWithAnUnreachableBrokerDoesNotSayReady() throws Exception {
        int closedPort = closedPort();
        Result r = run("loader", "--set", "kafka.bootstrapServers=127.0.0.1:" + closedPort, "--set", "kafka.startTimeout=2s",
                "--set", "query.port=0", "--set", "dataDir=" + dir.resolve("loader"));
        assertEquals(1, r.exitCode);
        assertEquals("footfall: cannot start: Kafka at 127.0.0.1:" + closedPort + " (kafka.bootstrapServers) did not answer within 2 s (kafka.startTimeout)",
                r.firstErrorLine());
        assertFalse(r.stdout.contains("ready"), r.stdout);
        assertNoStackTrace(r);
    }

    @Test
    void unresolvableBrokerIsOneLine() throws Exception {
        Result r = run("collector", "--set", "kafka.bootstrapServers=no-such-host.invalid:9092", "--set", "collector.port=0");
        assertEquals(1, r.exitCode);
        assertTrue(r.firstErrorLine().startsWith("footfall: cannot start: Kafka client cannot be created for "
                + "no-such-host.invalid:9092: "), r.firstErrorLine());
        assertNoStackTrace(r);
    }

    @Test
    void replayRangeThatEndsBeforeItStartsIsRefused() throws Exception {
        Result r = run("replay", "--data-dir", dir.resolve("data").toString(), "--from", "2026-11-27T00:00:00Z",
                "--to", "2026-11-01T00:00:00Z", "--table", "events_v4");
        assertEquals(2, r.exitCode);
        assertEquals("footfall: configuration error: --to: must be after --from (2026-11-27T00:00:00Z), got 2026-11-01T00:00:00Z",
                r.firstErrorLine());
    }

    /** A replay that cannot read footfall.raw says why and leaves no empty table behind to block its retry. */
    @Test
    void replayWithoutItsBrokerLeavesNoTable() throws Exception {
        int closedPort = closedPort();
        Path data = dir.resolve("data");
        Result r = run("replay", "--data-dir", data.toString(), "--set", "kafka.bootstrapServers=127.0.0.1:" + closedPort,
                "--from", "earliest", "--table", "events_v7");
        assertEquals(1, r.exitCode);
        assertEquals("footfall: cannot start: Kafka at 127.0.0.1:" + closedPort + " did not answer with the offsets of "
                + "footfall.raw within 30 s", r.firstErrorLine());
        assertNoStackTrace(r);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + data.resolve("footfall.duckdb"));
             java.sql.ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*) FROM information_schema.tables WHERE table_name = 'events_v7'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "no table events_v7 left behind");
        }
    }

    /** The pool's "Connection is not available" alone hid the reason; the driver's comes first now. */
    @Test
    void unreachablePostgresSaysWhy() throws Exception {
        int closedPort = closedPort();
        Result r = run("promote", "--set", "loader.warehouse=postgres", "--set", "loader.user=postgres",
                "--set", "loader.jdbcUrl=jdbc:postgresql://127.0.0.1:" + closedPort + "/test", "events_v2");
        assertEquals(1, r.exitCode);
        assertTrue(r.firstErrorLine().startsWith("footfall: cannot start: PostgreSQL at jdbc:postgresql://127.0.0.1:" + closedPort
                + "/test (loader.jdbcUrl) cannot be reached: Connection refused"), r.firstErrorLine());
        assertNoStackTrace(r);
    }

    /**
     * A server that answers but refuses footfall (no such database, no such user) is said at once as a refusal
     * naming the setting, not after the pool's seconds as a server that "cannot be reached".
     */
    @Test
    void postgresThatRefusesFootfallSaysSoNamingTheSetting() throws Exception {
        Result db = run("promote", "--set", "loader.warehouse=postgres", "--set", "loader.user=postgres",
                "--set", "loader.jdbcUrl=jdbc:postgresql://127.0.0.1:5432/no_such_db_footfall", "events_v2");
        assertEquals(1, db.exitCode);
        assertEquals("footfall: cannot start: PostgreSQL at jdbc:postgresql://127.0.0.1:5432/no_such_db_footfall refused"
                + " footfall: FATAL: database \"no_such_db_footfall\" does not exist (loader.jdbcUrl names the database)",
                db.firstErrorLine());
        Result user = run("promote", "--set", "loader.warehouse=postgres", "--set", "loader.user=no_such_user_footfall",
                "--set", "loader.jdbcUrl=jdbc:postgresql://127.0.0.1:5432/test", "events_v2");
        assertEquals(1, user.exitCode);
        assertTrue(user.firstErrorLine().endsWith("does not exist (loader.user, loader.password)"), user.firstErrorLine());
        assertNoStackTrace(db);
        assertNoStackTrace(user);
    }

    /** Promote takes a table replay made: not the live one, not one of footfall's own (a raw SQL error before). */
    @Test
    void promoteRefusesTheLiveTableAndFootfallsOwn() throws Exception {
        Result live = run("promote", "--data-dir", dir.resolve("promote").toString(), "events");
        assertEquals(2, live.exitCode);
        assertEquals("footfall: configuration error: TABLE: events is the live table already; promote a table that footfall"
                + " replay made, e.g. events_v2", live.firstErrorLine());
        Result own = run("promote", "--data-dir", dir.resolve("promote").toString(), "footfall_sessions");
        assertEquals(2, own.exitCode);
        assertEquals("footfall: configuration error: TABLE: footfall_sessions is one of footfall's own tables, not an events"
                + " table that footfall replay made", own.firstErrorLine());
    }

    /**
     * {@code footfall delete} on a standalone's data directory: it counts first, deletes only with --yes, says what it
     * did and that footfall.raw could bring the events back, and refuses a bad site or range by name.
     */
    @Test
    void deleteCountsThenDeletesASitesEventsOfARange() throws Exception {
        Path data = dir.resolve("delete");
        Files.createDirectories(data);
        try (io.footfall.loader.warehouse.DuckDbWarehouse w = io.footfall.loader.warehouse.DuckDbWarehouse.open(data.resolve("footfall.duckdb"))) {
            w.migrate();
            List<io.footfall.core.event.StoredEvent> events = new ArrayList<>();
            for (int seed = 0; seed < 100; seed++) {
                events.add(io.footfall.app.loader.LoaderFixtures.event(seed));
            }
            w.write(events, "footfall.events", List.of(new io.footfall.loader.warehouse.OffsetCommit(0, -1, 100)));
        }
        // Seeds 0..99 were received 1.7e12 + seed ms: [+10 ms, +30 ms) holds 20 of them.
        String from = "2023-11-14T22:13:20.010Z";
        String to = "2023-11-14T22:13:20.030Z";
        Result dry = run("delete", "--data-dir", data.toString(), "--site", "loader.test", "--from", from, "--to", to);
        assertEquals(0, dry.exitCode, dry.stderr);
        assertEquals("footfall: 20 events of loader.test received from " + from + " until " + to
                + " would be deleted; add --yes to delete them", dry.stdout.strip());
        Result done = run("delete", "--data-dir", data.toString(), "--site", "loader.test", "--from", from, "--to", to, "--yes");
        assertEquals(0, done.exitCode, done.stderr);
        assertTrue(done.stdout.startsWith("footfall: deleted 20 events of loader.test received from " + from + " until "
                + to + "; its sessions rebuilt ["), done.stdout);
        assertTrue(done.firstErrorLine().startsWith("footfall: note: footfall.raw keeps what it received for kafka.rawRetention (168 h"),
                done.stderr);
        Result left = run("delete", "--data-dir", data.toString(), "--site", "loader.test");
        assertEquals("footfall: 80 events of loader.test would be deleted; add --yes to delete them", left.stdout.strip());
        Result before = run("delete", "--data-dir", data.toString(), "--site", "loader.test", "--to", from);
        assertEquals("footfall: 10 events of loader.test received before " + from + " would be deleted; add --yes to delete them",
                before.stdout.strip());

        Result none = run("delete", "--data-dir", data.toString(), "--site", "nobody.test", "--yes");
        assertEquals("footfall: no events of nobody.test in the warehouse; the deletion is recorded all the same"
                + " (footfall_deletions), so loaders and replays leave out such events still in Kafka", none.stdout.strip());
        Result typo = run("delete", "--data-dir", dir.resolve("no-such-dir").toString(), "--site", "loader.test", "--yes");
        assertEquals(2, typo.exitCode);
        assertEquals("footfall: configuration error: there is no warehouse at " + dir.resolve("no-such-dir").resolve("footfall.duckdb")
                + " (--data-dir or loader.duckdbPath)", typo.firstErrorLine());
        assertFalse(Files.exists(dir.resolve("no-such-dir").resolve("footfall.duckdb")), "nothing made by a typo");
        Result far = run("delete", "--data-dir", data.toString(), "--site", "loader.test", "--to", "+1000000000-12-31T23:59:59Z");
        assertEquals(2, far.exitCode);
        assertTrue(far.firstErrorLine().startsWith("footfall: configuration error: --to: must be from 1970-01-01T00:00:00Z to"), far.firstErrorLine());
        Result site = run("delete", "--data-dir", data.toString(), "--site", "Example.COM", "--yes");
        assertEquals(2, site.exitCode);
        assertEquals("footfall: configuration error: --site: must match [a-z0-9._-]{1,64}, as the collector requires; got 'Example.COM'",
                site.firstErrorLine());
        Result range = run("delete", "--data-dir", data.toString(), "--site", "loader.test", "--from", to, "--to", from);
        assertEquals(2, range.exitCode);
        assertEquals("footfall: configuration error: --from must be before --to; got " + to + " and " + from, range.firstErrorLine());
        Result time = run("delete", "--data-dir", data.toString(), "--site", "loader.test", "--from", "yesterday");
        assertEquals(2, time.exitCode);
        assertTrue(time.firstErrorLine().contains("--from: expected an ISO-8601 instant"), time.firstErrorLine());
    }

    @Test
    void serverOnDuckDbSaysItReadsPostgresql() throws Exception {
        Result r = run("server", "--set", "kafka.bootstrapServers=127.0.0.1:" + closedPort(), "--set", "query.port=0",
                "--set", "dataDir=" + dir.resolve("server"));
        assertEquals(2, r.exitCode);
        assertEquals("footfall: configuration error: loader.warehouse: footfall server reads PostgreSQL "
                + "(loader.warehouse=postgres, loader.jdbcUrl=...); a DuckDB file takes one process, whose loader serves "
                + "the queries", r.firstErrorLine());
        assertNoStackTrace(r);
    }

    @Test
    void serverBeforeAnyLoaderSaysToStartOne() throws Exception {
        String schema = "cli_no_loader_" + Long.toHexString(System.nanoTime());
        Result r = run("server", "--set", "kafka.bootstrapServers=127.0.0.1:" + closedPort(), "--set", "query.port=0",
                "--set", "dataDir=" + dir.resolve("server"), "--set", "loader.warehouse=postgres",
                "--set", "loader.user=postgres", "--set", "loader.jdbcUrl=jdbc:postgresql://127.0.0.1:5432/test",
                "--set", "loader.schema=" + schema, "--set", "kafka.startTimeout=3s");
        assertEquals(1, r.exitCode);
        String state = "PostgreSQL schema " + schema + " is at version 0, this footfall reads version "
                + io.footfall.loader.schema.Migrations.latestVersion();
        // It waits for a loader (one starting beside it migrates), saying so, then gives up.
        assertTrue(r.stdout.contains("footfall: " + state + "; waiting for a loader to migrate it"), r.stdout);
        assertEquals("footfall: cannot start: " + state + ": start a loader on it first (loaders create and migrate "
                + "the schema; waited 3 s, kafka.startTimeout)", r.firstErrorLine());
        assertFalse(r.stdout.contains("ready"), r.stdout);
        assertNoStackTrace(r);
    }

    /** Kafka itself only warns of a name it does not know: a misspelt security setting would leave TLS off. */
    @Test
    void aMisspeltKafkaClientSettingStopsTheStart() throws Exception {
        Result r = run("collector", "--set", "kafka.bootstrapServers=127.0.0.1:" + closedPort(),
                "--set", "kafka.client.securty.protocol=SSL");
        assertEquals(2, r.exitCode);
        assertEquals("footfall: configuration error: kafka.client.securty.protocol: not a setting of Kafka's producer, consumer, "
                + "admin client or Streams (misspelt?); kafka.client.* settings are passed to Kafka as they are", r.firstErrorLine());
        assertNoStackTrace(r);
    }

    @Test
    void singleRoleWithoutClusterNamesTheKey() throws Exception {
        Result r = run("enricher");
        assertEquals(2, r.exitCode);
        assertEquals("footfall: configuration error: kafka.bootstrapServers: is required to run a single role "
                + "(standalone runs its own broker)", r.firstErrorLine());
    }
}
