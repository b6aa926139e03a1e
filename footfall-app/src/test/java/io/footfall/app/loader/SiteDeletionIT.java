package io.footfall.app.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.core.event.StoredEvent;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.loader.schema.Deletions;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.footfall.loader.warehouse.OffsetCommit;
import io.footfall.loader.warehouse.WarehouseWriter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code footfall delete}'s warehouse half on DuckDB and PostgreSQL: a site's events of a time range go, another
 * site's and the same site's other events stay, and the sessions rollup (what every stat reads) agrees with the
 * events that are left, visits cut in two by the range included.
 */
class SiteDeletionIT {

    private static final String TOPIC = "footfall.events";
    /** Seeds 0..2999 of LoaderFixtures.event: received 1.7e12 + seed ms; session-k holds seeds k, k+997, k+1994 (and k+2991). */
    private static final int EVENTS = 3000;

    @TempDir
    Path dir;

    @Test
    void duckdb() throws Exception {
        try (DuckDbWarehouse w = DuckDbWarehouse.open(dir.resolve("delete.duckdb"))) {
            check(w);
        }
    }

    @Test
    void postgres() throws Exception {
        LoaderFixtures.onFreshPostgres("sitedel", w -> check(w));
    }

    /**
     * PostgreSQL, loaders running beside {@code footfall delete}: a batch that waits on the deletion's lock, holding
     * one of the events it deletes, is written once the deletion has committed, and without that event.
     */
    @Test
    void postgresBatchWaitingOnADeletionLeavesOutWhatItDeleted() throws Exception {
        LoaderFixtures.onFreshPostgres("sitedelrace", w -> {
            w.migrate();
            String schema = w.eventsTable().substring(0, w.eventsTable().indexOf('.'));
            assertEquals(1, w.write(List.of(LoaderFixtures.event(1)), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 1))));
            Instant at = Instant.ofEpochMilli(1_700_000_000_000L);
            java.util.concurrent.ExecutorService loader = java.util.concurrent.Executors.newSingleThreadExecutor();
            try (Connection deletion = LoaderFixtures.postgres(); Statement st = deletion.createStatement()) {
                st.execute("SET search_path TO " + schema);
                deletion.setAutoCommit(false);
                // What PostgresWarehouse.deleteSite does, held open here until the batch waits on it.
                st.execute("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE");
                java.util.concurrent.Future<Long> batch = loader.submit(() -> w.write(
                        List.of(LoaderFixtures.event(2), withSite(LoaderFixtures.event(3), "other.test")), TOPIC,
                        List.of(new OffsetCommit(0, 1, 3))));
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
                    try (Connection c = LoaderFixtures.postgres()) {
                        return LoaderFixtures.count(c, "SELECT count(*) FROM pg_locks l JOIN pg_class r ON r.oid = l.relation"
                                + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE NOT l.granted AND r.relname = 'events'"
                                + " AND n.nspname = '" + schema + "'") > 0;
                    }
                });
                assertEquals(1, WarehouseWriter.deleteEvents(deletion, io.footfall.loader.schema.Dialect.POSTGRES, "events",
                        "loader.test", at, at.plusSeconds(60)));
                deletion.commit();
                assertEquals(1L, batch.get(30, java.util.concurrent.TimeUnit.SECONDS), "only other.test's event is written");
            } finally {
                loader.shutdownNow();
            }
            try (Connection c = w.readConnection()) {
                assertEquals(List.of("other.test|1"), LoaderFixtures.rows(c, "SELECT site, count(*) FROM events GROUP BY site"));
                assertEquals(List.of("other.test|1"), LoaderFixtures.rows(c, "SELECT site, sum(pageviews) FROM footfall_sessions GROUP BY site"));
            }
        });
    }

    private static <W extends Warehouse & WarehouseWriter> void check(W w) throws Exception {
        w.migrate();
        List<StoredEvent> events = new ArrayList<>();
        for (int seed = 0; seed < EVENTS; seed++) {
            events.add(LoaderFixtures.event(seed));
            if (seed % 10 == 0) {
                events.add(withSite(LoaderFixtures.event(100_000 + seed), "other.test"));
            }
        }
        assertEquals(EVENTS + EVENTS / 10, w.write(events, TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, events.size()))));

        Instant at = Instant.ofEpochMilli(1_700_000_000_000L);
        boolean duckdb = w.dialect().equals("duckdb");
        // PostgreSQL: the rollup is the same table afterwards (its grants, its owner); DuckDB: the site's hour versions.
        String identity = duckdb ? "SELECT max(version) FROM footfall_hour_versions WHERE site = 'loader.test'"
                : "SELECT CAST(CAST('footfall_sessions' AS regclass) AS oid)";
        long before = count(w, identity);
        assertEquals(0, w.deleteSite("nobody.test", Instant.EPOCH, at.plusSeconds(3600)));
        assertEquals(1000, w.deleteSite("loader.test", at.plusMillis(1000), at.plusMillis(2000)), "seeds 1000..1999");

        try (Connection c = w.readConnection()) {
            assertEquals(List.of("loader.test|2000", "other.test|300"),
                    LoaderFixtures.rows(c, "SELECT site, count(*) FROM events GROUP BY site ORDER BY site"));
            // Every session keeps seed k < 997; its page views are what is left of it; other.test's 300 are untouched.
            assertEquals(List.of("loader.test|997|2000", "other.test|300|300"), LoaderFixtures.rows(c,
                    "SELECT site, count(*), sum(pageviews) FROM footfall_sessions GROUP BY site ORDER BY site"));
            // session-5: seeds 5, 1002 and 1999 (deleted), 2996; session-3: 3, 1000 and 1997 (deleted), 2994.
            assertEquals(List.of("session-3|2|" + at.plusMillis(3) + "|" + at.plusMillis(2994),
                            "session-5|2|" + at.plusMillis(5) + "|" + at.plusMillis(2996)),
                    LoaderFixtures.rows(c, "SELECT session_id, pageviews, first_at, last_at FROM footfall_sessions"
                            + " WHERE site = 'loader.test' AND session_id IN ('session-3', 'session-5') ORDER BY session_id"));
        }
        if (duckdb) {
            assertEquals(true, count(w, identity) > before, "the hour's version is raised: a summary of it is stale");
        } else {
            assertEquals(before, count(w, identity), "the rollup is not dropped and recreated");
        }
        long beforeAll = Instant.now().toEpochMilli() * 1_000;
        assertEquals(2000, w.deleteSite("loader.test", Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z")), "the rest of it");
        long afterAll = Instant.now().toEpochMilli() * 1_000 + 1_000;
        // The deletion log, which a replay reads: every deletion, one that found nothing too; a range reaching past the
        // deletion ends at its time.
        List<Deletions.Range> log = w.deletions();
        assertEquals(3, log.size(), log.toString());
        assertTrue(log.contains(new Deletions.Range("nobody.test", 0, at.plusSeconds(3600).toEpochMilli() * 1_000)), log.toString());
        assertTrue(log.contains(new Deletions.Range("loader.test", at.plusMillis(1000).toEpochMilli() * 1_000,
                at.plusMillis(2000).toEpochMilli() * 1_000)), log.toString());
        Deletions.Range whole = log.stream().filter(r -> r.fromMicros() == 0 && r.site().equals("loader.test")).findFirst().orElseThrow();
        assertTrue(whole.toMicros() >= beforeAll - 1_000_000 && whole.toMicros() <= afterAll, "ends at the deletion: " + whole);
        if (duckdb) {
            assertEquals(0, count(w, "SELECT count(*) FROM footfall_hour_versions WHERE site = 'loader.test'"),
                    "a site deleted whole leaves the site list, which reads these");
            assertEquals(300, count(w, "SELECT count(*) FROM footfall_session_hour_versions v JOIN footfall_sessions s ON s.site = v.site"
                    + " AND epoch_us(s.first_at) // 3600000000 = v.hour"), "other.test's sessions keep their hour");
        }
        try (Connection c = w.readConnection()) {
            assertEquals(List.of("other.test|300"), LoaderFixtures.rows(c, "SELECT site, count(*) FROM footfall_sessions GROUP BY site"));
        }
        // Loading goes on after a deletion, without what it deleted: a loader that was behind (here a batch of one of
        // loader.test's deleted events and one of another site's, received at the same time) writes only the other.
        StoredEvent elsewhere = withSite(LoaderFixtures.event(6), "other.test");
        assertEquals(1, w.write(List.of(LoaderFixtures.event(5), elsewhere), TOPIC,
                List.of(new OffsetCommit(0, events.size(), events.size() + 2))));
        try (Connection c = w.readConnection()) {
            assertEquals(List.of("other.test|301"), LoaderFixtures.rows(c, "SELECT site, count(*) FROM events GROUP BY site"));
            assertEquals(List.of("other.test|301"), LoaderFixtures.rows(c, "SELECT site, sum(pageviews) FROM footfall_sessions GROUP BY site"));
            assertEquals(events.size() + 2, LoaderFixtures.count(c, "SELECT sum(next_offset) FROM footfall_offsets"), "both are consumed");
        }
        // A batch of nothing but deleted events: consumed, nothing written.
        assertEquals(0, w.write(List.of(LoaderFixtures.event(7)), TOPIC,
                List.of(new OffsetCommit(0, events.size() + 2, events.size() + 3))));
        assertEquals(events.size() + 3, count(w, "SELECT sum(next_offset) FROM footfall_offsets"));

        // After a promote the replaced table, events_prev, holds the same events: a deletion reaches it too.
        w.createTable("events_v2");
        w.append("events_v2", List.of(withSite(LoaderFixtures.event(8), "other.test")));
        w.promote("events_v2");
        assertEquals(301, count(w, "SELECT count(*) FROM " + WarehouseWriter.PREVIOUS_TABLE + " WHERE site = 'other.test'"));
        // [6 ms, 9 ms): the live table's event at 8 ms, and events_prev's at 6 ms (the batch written above).
        assertEquals(1, w.deleteSite("other.test", at.plusMillis(6), at.plusMillis(9)), "the live table's one event");
        assertEquals(0, count(w, "SELECT count(*) FROM " + WarehouseWriter.PREVIOUS_TABLE + " WHERE site = 'other.test'"
                + " AND received_at < to_timestamp(" + at.plusMillis(9).toEpochMilli() / 1000.0 + ")"), "events_prev's");
        assertEquals(300, count(w, "SELECT count(*) FROM " + WarehouseWriter.PREVIOUS_TABLE + " WHERE site = 'other.test'"),
                "what the range does not cover stays");
    }

    private static long count(Warehouse w, String sql) throws Exception {
        try (Connection c = w.readConnection()) {
            return LoaderFixtures.count(c, sql);
        }
    }

    /** The same event under another site. */
    static StoredEvent withSite(StoredEvent e, String site) throws Exception {
        RecordComponent[] components = StoredEvent.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = components[i].getName().equals("site") ? site : components[i].getAccessor().invoke(e);
        }
        return StoredEvent.class.getDeclaredConstructor(types).newInstance(values);
    }
}
