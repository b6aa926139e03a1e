package io.footfall.app.loader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.app.Main;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.EventType;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.json.RawEventJson;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.footfall.loader.warehouse.OffsetCommit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change a rule (the session timeout), replay footfall.raw twice through {@code footfall replay}, and the two
 * tables differ exactly where the rule says; the live table is untouched until {@code footfall promote}.
 */
class ReplayIT {

    /** Minutes since each visitor's previous event; the first is the visitor's first event. */
    private static final int[] GAPS_MIN = {0, 2, 10, 40, 1, 20, 6, 4, 31, 5};
    private static final int VISITORS = 30;
    private static final long BASE_MS = Instant.parse("2026-11-02T08:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    @Test
    void aShorterSessionTimeoutSplitsSessionsExactlyAtTheGapsBetweenTheTwoTimeouts() throws Exception {
        Path file = dir.resolve("footfall.duckdb");
        try (DuckDbWarehouse live = DuckDbWarehouse.open(file)) {
            live.migrate();
            live.write(List.of(LoaderFixtures.event(1), LoaderFixtures.event(2)), KafkaConfig.EVENTS_TOPIC,
                    List.of(new OffsetCommit(0, OffsetCommit.NONE, 2)));
        }
        Set<String> splitByShorterTimeout = new HashSet<>();
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 3)) {
            List<RawEvent> week = new ArrayList<>();
            for (int v = 0; v < VISITORS; v++) {
                long t = BASE_MS + v * 7_000L;
                for (int i = 0; i < GAPS_MIN.length; i++) {
                    t += GAPS_MIN[i] * 60_000L;
                    RawEvent e = raw(v, i, t);
                    week.add(e);
                    if (i > 0 && GAPS_MIN[i] >= 5 && GAPS_MIN[i] < 30) {
                        splitByShorterTimeout.add(e.eventId());
                    }
                }
            }
            produce(broker, week, true);
            Instant mid = Instant.now();
            await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(mid.plusMillis(5)));
            List<RawEvent> later = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                later.add(raw(1000 + i, 0, BASE_MS + 86_400_000L));
            }
            produce(broker, later, false);

            String[] common = {"--set", "kafka.bootstrapServers=" + broker.bootstrapServers(), "--set", "dataDir=" + dir,
                    "--set", "loader.duckdbPath=" + file};
            assertEquals(0, cli(common, "replay", "--from", "earliest", "--to", mid.toString(), "--table", "events_a"));
            assertEquals(0, cli(common, "replay", "--from", "earliest", "--to", mid.toString(), "--table", "events_b",
                    "--set", "enricher.sessionTimeout=5m"));
            assertEquals(0, cli(common, "replay", "--from", mid.toString(), "--table", "events_c"));
            assertEquals(2, cli(common, "replay", "--from", "yesterday", "--table", "events_d"), "a bad time is a usage error");
            assertEquals(1, cli(common, "replay", "--from", "earliest", "--table", "events_a"), "an existing table is refused");
        }

        try (DuckDbWarehouse w = DuckDbWarehouse.open(file); Connection c = w.readConnection()) {
            assertEquals(300, LoaderFixtures.count(c, "SELECT count(*) FROM events_a"), "the invalid raw record is not a row");
            assertEquals(300, LoaderFixtures.count(c, "SELECT count(*) FROM events_b"));
            assertEquals(10, LoaderFixtures.count(c, "SELECT count(*) FROM events_c"), "--from starts at that time");
            assertEquals(2, LoaderFixtures.count(c, "SELECT count(*) FROM events"), "the live table is untouched");

            assertEquals(VISITORS * 4L, splitByShorterTimeout.size());
            assertEquals(splitByShorterTimeout, ids(c, "SELECT CAST(a.event_id AS VARCHAR) FROM events_a a JOIN events_b b "
                    + "USING (event_id) WHERE a.is_new_session <> b.is_new_session"));
            assertEquals(Set.of(), ids(c, "SELECT CAST(event_id AS VARCHAR) FROM events_a WHERE is_new_session AND event_id NOT IN "
                    + "(SELECT event_id FROM events_b WHERE is_new_session)"), "a longer timeout never adds a session start");
            assertEquals(VISITORS * 3L, LoaderFixtures.count(c, "SELECT count(DISTINCT session_id) FROM events_a"));
            assertEquals(VISITORS * 7L, LoaderFixtures.count(c, "SELECT count(DISTINCT session_id) FROM events_b"));
            String sameColumns = StoredEvent.COLUMNS.stream()
                    .filter(col -> !Set.of("session_id", "session_seq", "is_new_session").contains(col))
                    .collect(Collectors.joining(", "));
            assertEquals(0, LoaderFixtures.count(c, "SELECT count(*) FROM (SELECT " + sameColumns + " FROM events_a EXCEPT SELECT "
                    + sameColumns + " FROM events_b)"), "nothing else differs");
        }

        String[] common = {"--set", "dataDir=" + dir, "--set", "loader.duckdbPath=" + file};
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(said, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, cli(common, "promote", "events_b"));
        } finally {
            System.setErr(err);
        }
        // The live table's two events are not in the replay: promote says that only events_prev has them.
        org.junit.jupiter.api.Assertions.assertTrue(said.toString(StandardCharsets.UTF_8).contains(
                "footfall: note: 2 events of the previous live table are not in events_b"), said.toString(StandardCharsets.UTF_8));
        try (DuckDbWarehouse w = DuckDbWarehouse.open(file); Connection c = w.readConnection()) {
            assertEquals(300, LoaderFixtures.count(c, "SELECT count(*) FROM events"));
            assertEquals(2, LoaderFixtures.count(c, "SELECT count(*) FROM events_prev"));
            // The stats follow the promoted table: its sessions rollup was rebuilt in the same transaction.
            assertEquals(VISITORS * 7L, LoaderFixtures.count(c, "SELECT count(*) FROM footfall_sessions WHERE NOT sessionless"));
            assertEquals(300, LoaderFixtures.count(c, "SELECT sum(pageviews) FROM footfall_sessions"));
        }
        assertEquals(1, cli(common, "promote", "events_a"), "events_prev exists: refused");
    }

    /**
     * {@code footfall delete} is recorded, and a replay of {@code footfall.raw} (which still holds the events) leaves
     * out exactly the deleted site's events of the deleted range; a deletion without {@code --to} ends at its own
     * time, so the site's later events stay. The visits go on across the range: the events kept have the session
     * ids the replay gives them with the deleted ones read too.
     */
    @Test
    void aReplayLeavesOutWhatFootfallDeleteDeleted() throws Exception {
        Path file = dir.resolve("footfall.duckdb");
        try (DuckDbWarehouse live = DuckDbWarehouse.open(file)) {
            live.migrate();
        }
        Instant from = Instant.ofEpochMilli(BASE_MS + 20 * 60_000L);
        Instant to = Instant.ofEpochMilli(BASE_MS + 40 * 60_000L);
        long later = Instant.now().plus(Duration.ofHours(1)).toEpochMilli();
        Set<String> deleted = new HashSet<>();
        Set<String> all = new HashSet<>();
        List<RawEvent> events = new ArrayList<>();
        for (int v = 0; v < 20; v++) {
            String site = v % 2 == 0 ? "gone.test" : "kept.test";
            for (int i = 0; i < 6; i++) {
                long t = BASE_MS + v * 1_000L + i * 10 * 60_000L; // every 10 min from 08:00 to 08:50
                RawEvent e = raw(site, v, i, t);
                events.add(e);
                all.add(e.eventId());
                if (site.equals("gone.test") && t >= from.toEpochMilli() && t < to.toEpochMilli()) {
                    deleted.add(e.eventId());
                }
            }
            RawEvent old = raw("all.test", v, 0, BASE_MS + v * 1_000L);
            RawEvent newer = raw("all.test", v, 1, later + v);
            events.addAll(List.of(old, newer));
            all.addAll(List.of(old.eventId(), newer.eventId()));
            deleted.add(old.eventId());
        }
        assertEquals(20 + 20, deleted.size(), "gone.test at 08:20 and 08:30, all.test's older events");
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 3)) {
            produce(broker, events, false);
            String[] common = {"--set", "kafka.bootstrapServers=" + broker.bootstrapServers(), "--set", "dataDir=" + dir,
                    "--set", "loader.duckdbPath=" + file};
            assertEquals(0, cli(common, "delete", "--site", "gone.test", "--from", from.toString(), "--to", to.toString(), "--yes"));
            assertEquals(0, cli(common, "delete", "--site", "all.test", "--yes"));
            assertEquals(0, cli(common, "replay", "--from", "earliest", "--table", "events_r"));
            // A deletion after the replay (or while it ran): promote removes its events from the table it swaps in.
            assertEquals(0, cli(common, "delete", "--site", "kept.test", "--to", Instant.ofEpochMilli(BASE_MS + 60_000L).toString(),
                    "--yes"));
        }
        Set<String> keptFirst = new HashSet<>();
        for (RawEvent e : events) {
            if (e.site().equals("kept.test") && e.receivedAt() < BASE_MS + 60_000L) {
                keptFirst.add(e.eventId());
            }
        }
        assertEquals(10, keptFirst.size());
        Set<String> kept = new HashSet<>(all);
        kept.removeAll(deleted);
        try (DuckDbWarehouse w = DuckDbWarehouse.open(file); Connection c = w.readConnection()) {
            Set<String> replayed = ids(c, "SELECT CAST(event_id AS VARCHAR) FROM events_r");
            assertEquals(Set.of(), replayed.stream().filter(deleted::contains).collect(Collectors.toSet()), "deleted, replayed");
            assertEquals(Set.of(), kept.stream().filter(id -> !replayed.contains(id)).collect(Collectors.toSet()), "kept, not replayed");
            assertEquals(kept.size(), replayed.size());
            // gone.test's visits (one per visitor) are not split by the hole the deletion left in them.
            assertEquals(10, LoaderFixtures.count(c, "SELECT count(DISTINCT session_id) FROM events_r WHERE site = 'gone.test'"));
            assertEquals(3, LoaderFixtures.count(c, "SELECT count(*) FROM " + io.footfall.loader.schema.Deletions.TABLE));
        }
        String[] local = {"--set", "dataDir=" + dir, "--set", "loader.duckdbPath=" + file};
        assertEquals(0, cli(local, "promote", "events_r"));
        kept.removeAll(keptFirst);
        try (DuckDbWarehouse w = DuckDbWarehouse.open(file); Connection c = w.readConnection()) {
            assertEquals(kept, ids(c, "SELECT CAST(event_id AS VARCHAR) FROM events"));
            assertEquals(kept.size(), LoaderFixtures.count(c, "SELECT sum(pageviews) FROM footfall_sessions"), "the rollup follows");
        }
    }

    private static RawEvent raw(int visitor, int i, long receivedAt) {
        return raw("replay.test", visitor, i, receivedAt);
    }

    private static RawEvent raw(String site, int visitor, int i, long receivedAt) {
        return new RawEvent(UUID.nameUUIDFromBytes((site + "-" + visitor + "-" + i).getBytes(StandardCharsets.UTF_8)).toString(),
                site, EventType.PAGEVIEW, null, "https://" + site + "/page/" + i, null, "Page " + i, null,
                "visitor-" + visitor, "1280x720", "en-GB", "Europe/London", null, receivedAt, "192.0.2.1", "Mozilla/5.0");
    }

    private static void produce(TestBroker broker, List<RawEvent> events, boolean withInvalid) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (RawEvent e : events) {
                // Keyed by visitor, as the collector does: one visitor's events stay in order in one partition.
                producer.send(new ProducerRecord<>(KafkaConfig.RAW_TOPIC, e.visitorId().getBytes(StandardCharsets.UTF_8),
                        RawEventJson.encode(e)));
            }
            if (withInvalid) {
                producer.send(new ProducerRecord<>(KafkaConfig.RAW_TOPIC, null, "{\"site\":\"BAD SITE\"}".getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    private static int cli(String[] common, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(common));
        return Main.run(all.toArray(String[]::new));
    }

    private static Set<String> ids(Connection c, String sql) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
