package io.footfall.app.standalone;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.Main;
import io.footfall.app.reliability.AckedLoad;
import io.footfall.app.testing.Http;
import io.footfall.app.testing.TestBroker;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code footfall backup} while events arrive, then {@code footfall restore} of that backup into the stopped standalone:
 * after a restart every event that got a 202 is in the warehouse exactly once — those after the backup loaded again
 * from Kafka, from the offsets the backup holds with its rows.
 */
class BackupIT {

    @TempDir
    Path dir;

    @Test
    void aBackupTakenUnderLoadRestoresToEveryAcknowledgedEventExactlyOnce() throws Exception {
        Path data = dir.resolve("data");
        Map<String, String> flags = new HashMap<>(Map.of("collector.port", "0", "query.port", "0", "kafka.partitions", "3"));
        Set<String> acked;
        Path backup;
        long inBackup;
        try (Standalone standalone = new Standalone(TestBroker.baseConfig(data, flags), new PrintStream(new ByteArrayOutputStream())).start();
             AckedLoad load = AckedLoad.start(standalone.collectorPort(), 2)) {
            int port = standalone.queryPort();
            await().atMost(Duration.ofSeconds(60)).until(() -> stored(standalone) >= 3_000);

            URI uri = URI.create("http://127.0.0.1:" + port + "/api/backup");
            HttpResponse<String> anonymous = Http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(401, anonymous.statusCode(), anonymous.body());
            HttpResponse<String> get = Http.send(HttpRequest.newBuilder(uri).GET().build());
            assertEquals(405, get.statusCode(), get.body());
            assertEquals("POST", get.headers().firstValue("Allow").orElse(null));

            // The SQL API's token, which analysts get, does not write backups: the operator's admin token does.
            HttpResponse<String> withSqlToken = Http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer "
                    + Files.readString(data.resolve("query-api-token")).trim()).POST(HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(401, withSqlToken.statusCode(), withSqlToken.body());
            assertTrue(withSqlToken.body().contains("admin-api-token"), withSqlToken.body());
            // What a backup cut off by a stop left behind goes with the next one.
            Path stale = Files.createDirectories(data.resolve("backups")).resolve("footfall-20000101T000000Z.duckdb.partial");
            Files.writeString(stale, "cut off");
            Files.writeString(stale.resolveSibling(stale.getFileName() + ".wal"), "cut off");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = runCapturing(out, "backup", "--data-dir", data.toString(), "--admin-port", Integer.toString(port));
            assertEquals(0, exit, out.toString());
            try (Stream<Path> files = Files.list(data.resolve("backups"))) {
                List<Path> written = files.toList();
                assertEquals(1, written.size(), "one whole file, no .partial or .wal beside it: " + written);
                backup = written.get(0);
            }
            assertTrue(backup.getFileName().toString().matches("footfall-\\d{8}T\\d{6}Z\\.duckdb"), backup.toString());
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)),
                    "every event: the process's user's alone");
            assertTrue(out.toString().contains("footfall: backup written: " + backup), out.toString());
            inBackup = count(backup, "SELECT count(*) FROM events");
            assertTrue(out.toString().contains(String.format("%,d events", inBackup)), out.toString());

            // A nightly job keeps the newest N: a second backup with --keep 1 deletes the first, not the second.
            Path spare = Files.copy(backup, backup.resolveSibling("footfall-20000101T000000Z.duckdb"));
            Thread.sleep(1_100); // one backup a second: the file is named by its second
            ByteArrayOutputStream second = new ByteArrayOutputStream();
            assertEquals(0, runCapturing(second, "backup", "--data-dir", data.toString(), "--admin-port", Integer.toString(port),
                    "--keep", "2"), second.toString());
            try (Stream<Path> files = Files.list(data.resolve("backups"))) {
                assertEquals(2, files.count(), second.toString());
            }
            assertTrue(second.toString().contains("footfall: deleted the older backup " + spare), second.toString());
            assertTrue(Files.exists(backup), "the newer of the two before it is kept");
            ByteArrayOutputStream none = new ByteArrayOutputStream();
            assertEquals(2, runCapturing(none, "backup", "--data-dir", data.toString(), "--keep", "0"), none.toString());

            // The load goes on past the backup, so that the restore has something to load again.
            long atBackup = load.acknowledged().size();
            await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged().size() >= atBackup + 3_000);
            load.close();
            acked = Set.copyOf(load.acknowledged());
            await().atMost(Duration.ofSeconds(90)).until(() -> stored(standalone) >= acked.size());
        }
        assertTrue(inBackup >= 3_000 && inBackup < acked.size(), "taken mid-load: " + inBackup + " of " + acked.size());
        assertEquals(inBackup, count(backup, "SELECT count(DISTINCT event_id) FROM events"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, runCapturing(out, "restore", backup.toString(), "--data-dir", data.toString()), out.toString());
        assertTrue(out.toString().contains("footfall: restored " + backup), out.toString());
        try (Stream<Path> files = Files.list(data)) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().matches("footfall\\.duckdb\\.before-restore-\\d{8}T\\d{6}Z"))
                    .count(), "the replaced file is kept");
        }
        assertEquals(inBackup, count(data.resolve("footfall.duckdb"), "SELECT count(*) FROM events"), "the backup is in place");

        try (Standalone restarted = new Standalone(TestBroker.baseConfig(data, flags), new PrintStream(new ByteArrayOutputStream())).start()) {
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> ShutdownIT.storedCounts(restarted).keySet().containsAll(acked));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // The assertions below say how many are missing.
            }
            Map<String, Integer> counts = ShutdownIT.storedCounts(restarted);
            assertEquals(List.of(), counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList(),
                    "no event stored twice");
            Set<String> missing = new HashSet<>(acked);
            missing.removeAll(counts.keySet());
            assertEquals(0, missing.size(), "acknowledged events missing after the restore, of " + acked.size());
        }
    }

    /**
     * A backup older than a {@code footfall delete}: the restore makes the deletion again on it (the replaced file's
     * deletion log says what was deleted after the backup), so the deleted events do not come back, and records it, so
     * that the loader's reload from Kafka leaves them out too.
     */
    @Test
    void restoringABackupOlderThanADeletionMakesTheDeletionAgain() throws Exception {
        Path data = dir.resolve("data");
        Path live = data.resolve("footfall.duckdb");
        Path backup = dir.resolve("footfall-20261129T000000Z.duckdb");
        Instant at = Instant.ofEpochMilli(1_700_000_000_000L);
        Files.createDirectories(data);
        try (DuckDbWarehouse w = DuckDbWarehouse.open(live)) {
            w.migrate();
            List<io.footfall.core.event.StoredEvent> events = new java.util.ArrayList<>();
            for (int seed = 0; seed < 500; seed++) {
                events.add(io.footfall.app.loader.LoaderFixtures.event(seed));
            }
            w.write(events, "footfall.events", List.of(new io.footfall.loader.warehouse.OffsetCommit(0,
                    io.footfall.loader.warehouse.OffsetCommit.NONE, 500)));
            assertEquals(500, w.copyTo(backup));
            assertEquals(100, w.deleteSite("loader.test", at.plusMillis(100), at.plusMillis(200)));
            assertEquals(0, w.deleteSite("nobody.test", Instant.EPOCH, at), "recorded, though it found nothing");
        }
        // The live file given as the backup: refused, the live file left where it is.
        ByteArrayOutputStream itself = new ByteArrayOutputStream();
        assertEquals(2, runCapturing(itself, "restore", live.toString(), "--data-dir", data.toString()), itself.toString());
        assertTrue(itself.toString().contains("is the live warehouse itself"), itself.toString());
        assertEquals(400, count(live, "SELECT count(*) FROM events"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, runCapturing(out, "restore", backup.toString(), "--data-dir", data.toString()), out.toString());
        assertTrue(out.toString().contains("footfall: 2 deletions (footfall delete) made after the backup made again: 100 events deleted"),
                out.toString());
        assertEquals(400, count(live, "SELECT count(*) FROM events"));
        assertEquals(0, count(live, "SELECT count(*) FROM events WHERE received_at >= make_timestamptz(1700000000100000)"
                + " AND received_at < make_timestamptz(1700000000200000)"));
        assertEquals(400, count(live, "SELECT sum(pageviews) FROM footfall_sessions"), "the sessions follow");
        assertEquals(2, count(live, "SELECT count(*) FROM footfall_deletions"));

        // The same backup restored again over the restored file: each deletion is made again once, the log not doubled.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        Thread.sleep(1_100); // the replaced file is named by its second
        assertEquals(0, runCapturing(again, "restore", backup.toString(), "--data-dir", data.toString()), again.toString());
        assertTrue(again.toString().contains("made again: 100 events deleted"), again.toString());
        assertEquals(2, count(live, "SELECT count(*) FROM footfall_deletions"));
        assertEquals(1, count(live, "SELECT count(*) FROM footfall_offsets"), "the backup's offsets are kept");

        // Beside other topics (a new machine): the offsets are forgotten, the rows kept.
        ByteArrayOutputStream fresh = new ByteArrayOutputStream();
        Thread.sleep(1_100);
        assertEquals(0, runCapturing(fresh, "restore", backup.toString(), "--data-dir", data.toString(), "--new-topics"),
                fresh.toString());
        assertTrue(fresh.toString().contains("stored offsets are forgotten (--new-topics)"), fresh.toString());
        assertEquals(0, count(live, "SELECT count(*) FROM footfall_offsets"));
        assertEquals(400, count(live, "SELECT count(*) FROM events"));
    }

    private static int runCapturing(ByteArrayOutputStream out, String... args) {
        PrintStream previousOut = System.out;
        PrintStream previousErr = System.err;
        PrintStream both = new PrintStream(out, true);
        System.setOut(both);
        System.setErr(both);
        try {
            return Main.run(args);
        } finally {
            System.setOut(previousOut);
            System.setErr(previousErr);
        }
    }

    private static long stored(Standalone standalone) throws Exception {
        try (Connection c = standalone.warehouse().readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM events")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long count(Path duckdb, String sql) throws Exception {
        java.util.Properties readOnly = new java.util.Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdb, readOnly); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
