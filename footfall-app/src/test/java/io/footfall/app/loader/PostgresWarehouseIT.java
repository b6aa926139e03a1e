package io.footfall.app.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.LoaderConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.Migrations;
import io.footfall.loader.schema.SessionRollup;
import io.footfall.loader.warehouse.OffsetCommit;
import io.footfall.loader.warehouse.PostgresWarehouse;
import io.footfall.loader.warehouse.StaleBatchException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL writer against the local server, in a fresh schema per test class. */
class PostgresWarehouseIT {

    private static final String TOPIC = "footfall.events";
    private static final int LATEST = Migrations.ALL.get(Migrations.ALL.size() - 1).version();
    private static final List<String> schemas = new ArrayList<>();

    static LoaderConfig config(String schema) {
        return TestBroker.baseConfig(Path.of("unused"), Map.of("loader.warehouse", "postgres",
                "loader.jdbcUrl", LoaderFixtures.PG_URL, "loader.user", "postgres", "loader.schema", schema)).loader();
    }

    static String schema() throws SQLException {
        String schema = LoaderFixtures.freshSchema("pgw");
        schemas.add(schema);
        return schema;
    }

    @BeforeAll
    static void checkServer() throws SQLException {
        try (Connection c = LoaderFixtures.postgres()) {
            assertEquals(1, LoaderFixtures.count(c, "SELECT 1"));
        }
    }

    @AfterAll
    static void dropSchemas() throws SQLException {
        for (String schema : schemas) {
            LoaderFixtures.dropSchema(schema);
        }
    }

    /**
     * The SQL API's connection ends with its request: what a user's statement leaves in its session (a session-level
     * advisory lock, a setting) is gone, and the pool's connections never see it. Negative control: the pool's
     * readConnection() in its place keeps the lock (the loader's migrations would wait on it forever).
     */
    @Test
    void anIsolatedConnectionTakesItsSessionStateWithIt() throws SQLException {
        String schema = schema();
        try (PostgresWarehouse w = PostgresWarehouse.open(config(schema))) {
            w.migrate();
            try (Connection c = w.isolatedReadConnection("", ""); Statement st = c.createStatement()) {
                assertEquals(0, LoaderFixtures.count(c, "SELECT count(*) FROM events"), "reads the warehouse's schema");
                st.execute("SELECT pg_advisory_lock(424242)");
                st.execute("SELECT set_config('search_path', 'public', false)");
                try (Connection other = LoaderFixtures.postgres()) {
                    assertEquals(1, LoaderFixtures.count(other, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 424242"));
                }
            }
            try (Connection other = LoaderFixtures.postgres()) {
                assertEquals(0, LoaderFixtures.count(other, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 424242"),
                        "the lock ended with the connection");
            }
            for (int i = 0; i < 3; i++) {
                try (Connection c = w.readConnection(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SHOW search_path")) {
                    rs.next();
                    assertEquals(schema, rs.getString(1), "the pool's connections keep their schema");
                }
            }
        }
    }

    @Test
    void migrationsOnAFreshSchemaThenAgainAreANoOp() throws SQLException {
        String schema = schema();
        try (PostgresWarehouse w = PostgresWarehouse.open(config(schema))) {
            w.migrate();
            assertEquals(LATEST, w.schemaVersion());
            w.write(List.of(LoaderFixtures.event(1)), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 1)));
            w.migrate();
            assertEquals(LATEST, w.schemaVersion());
            try (Connection c = LoaderFixtures.postgres()) {
                assertEquals(LATEST, LoaderFixtures.count(c, "SELECT count(*) FROM " + schema + ".footfall_schema_version"));
                assertEquals(1, LoaderFixtures.count(c, "SELECT count(*) FROM " + schema + ".events"));
                assertEquals(1, LoaderFixtures.count(c, "SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema
                        + "' AND indexname = 'events_site_received_at'"));
            }
        }
    }

    /**
     * Loaders of a shared deployment start together on a schema that does not exist yet: each migrates, one
     * creates the schema and applies the migrations, the others wait and find them done.
     */
    @Test
    void loadersStartingTogetherMigrateOnce() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                String schema = "pgw_new_" + Long.toHexString(System.nanoTime());
                schemas.add(schema);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> starts = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    starts.add(threads.submit(() -> {
                        try (PostgresWarehouse w = PostgresWarehouse.open(config(schema))) {
                            go.await();
                            w.migrate();
                            return w.schemaVersion();
                        }
                    }));
                }
                go.countDown();
                for (Future<Integer> start : starts) {
                    assertEquals(LATEST, start.get(60, TimeUnit.SECONDS), "round " + round);
                }
                try (Connection c = LoaderFixtures.postgres()) {
                    assertEquals(LATEST, LoaderFixtures.count(c, "SELECT count(*) FROM " + schema + ".footfall_schema_version"));
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void upgradesFromEachEarlierVersion() throws SQLException {
        for (Migrations.Migration from : Migrations.ALL) {
            String schema = schema();
            try (Connection c = LoaderFixtures.postgres(); Statement st = c.createStatement()) {
                st.execute("SET search_path TO " + schema);
                assertEquals(from.version(), Migrations.apply(c, Dialect.POSTGRES, from.version()));
                st.execute("INSERT INTO footfall_offsets VALUES ('t', 0, 5)");
            }
            try (PostgresWarehouse w = PostgresWarehouse.open(config(schema))) {
                w.migrate();
                assertEquals(LATEST, w.schemaVersion(), "upgrade from v" + from.version());
                assertEquals(Map.of(0, 5L), w.storedOffsets("t"), "data kept");
            }
        }
    }

    /**
     * Migration 8 adds {@code referrer_source}: the rows of version 7 take their host without www., the tables have the columns in the
     * order of a fresh schema (COPY into events names none), and the writers then fill it, in the rollup too.
     */
    @Test
    void referrerSourceIsAddedAndStoredRowsTakeTheirHost() throws SQLException {
        String fresh = schema();
        try (PostgresWarehouse w = PostgresWarehouse.open(config(fresh))) {
            w.migrate();
        }
        String schema = schema();
        StoredEvent old = LoaderFixtures.event(1);
        try (Connection c = LoaderFixtures.postgres(); Statement st = c.createStatement()) {
            st.execute("SET search_path TO " + schema);
            Migrations.apply(c, Dialect.POSTGRES, 7);
            st.execute("INSERT INTO events (event_id, site, type, received_at, referrer_host, session_id, session_seq, is_new_session) "
                    + "VALUES ('" + old.eventId() + "', 'loader.test', 'pageview', now(), 'www.google.com', 'old', 1, true)");
            st.execute("INSERT INTO footfall_sessions (site, session_id, sessionless, is_bot, first_at, last_at, first_key, pageviews, "
                    + "events, referrer_host) VALUES ('loader.test', 'old', false, false, now(), now(), 1, 1, 0, 'www.google.com')");
        }
        try (PostgresWarehouse w = PostgresWarehouse.open(config(schema))) {
            w.migrate();
            w.migrate();
            assertEquals(LATEST, w.schemaVersion());
            StoredEvent opening = LoaderFixtures.event(2);
            assertEquals(1, w.write(List.of(opening), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 1))));
            try (Connection c = LoaderFixtures.postgres()) {
                for (String table : List.of("events", SessionRollup.TABLE)) {
                    assertEquals(columns(c, fresh, table), columns(c, schema, table), table);
                }
                assertEquals(StoredEvent.COLUMNS, columns(c, schema, "events"));
                assertEquals(SessionRollup.columns(), columns(c, schema, SessionRollup.TABLE));
                assertEquals(List.of("www.google.com|Google", "www.google.com|google.com"), LoaderFixtures.rows(c, "SELECT referrer_host, "
                        + "referrer_source FROM " + schema + ".events ORDER BY referrer_source"));
                assertEquals(List.of(opening.sessionId() + "|Google", "old|google.com"), LoaderFixtures.rows(c, "SELECT session_id, "
                        + "referrer_source FROM " + schema + "." + SessionRollup.TABLE + " ORDER BY referrer_source"));
            }
        }
    }

    private static List<String> columns(Connection c, String schema, String table) throws SQLException {
        return LoaderFixtures.rows(c, "SELECT column_name FROM information_schema.columns WHERE table_schema = '" + schema
                + "' AND table_name = '" + table + "' ORDER BY ordinal_position");
    }

    @Test
    void copyRoundTripsEveryColumnIncludingEscapes() throws SQLException {
        String schema = schema();
        try (PostgresWarehouse w = PostgresWarehouse.open(config(schema))) {
            w.migrate();
            StoredEvent e = LoaderFixtures.event(42);
            StoredEvent tricky = new StoredEvent(LoaderFixtures.event(43).eventId(), e.site(), e.type(), "signup",
                    e.receivedAt(), 1_600_000_000_123L, e.url(), e.host(), e.path(), "q=a\\b", "tab\there\nline\r\\N é ✓",
                    null, null, "direct", null, null, null, null, null, "v", "s", 7, false, null, null, null, null, null,
                    true, null, null, null, null, null, null, "{\"k\":\"a\\tb\"}", "p1", "Tab\tsource");
            assertEquals(2, w.write(List.of(e, tricky, e), TOPIC, List.of(new OffsetCommit(3, OffsetCommit.NONE, 10))));
            try (Connection c = w.readConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT title, query, name, session_seq, is_new_session, is_bot, props->>'k', "
                         + "extract(epoch from client_ts) * 1000, extract(epoch from received_at) * 1000, referrer_source FROM events WHERE event_id = '"
                         + tricky.eventId() + "'")) {
                rs.next();
                assertEquals("tab\there\nline\r\\N é ✓", rs.getString(1));
                assertEquals("q=a\\b", rs.getString(2));
                assertEquals("signup", rs.getString(3));
                assertEquals(7, rs.getInt(4));
                assertEquals(false, rs.getBoolean(5));
                assertEquals(true, rs.getBoolean(6));
                assertEquals("a\tb", rs.getString(7));
                assertEquals(1_600_000_000_123L, Math.round(rs.getDouble(8)));
                assertEquals(e.receivedAt(), Math.round(rs.getDouble(9)));
                assertEquals("Tab\tsource", rs.getString(10), "the last column, after pipeline_version");
            }
            assertEquals(Map.of(3, 10L), w.storedOffsets(TOPIC));
        }
    }

    /**
     * PostgreSQL's jsonb refuses U+0000 even as the JSON escape a client can send in {@code props}, and numbers
     * past its numeric range: the loader names such a row before the batch is written (it goes to footfall.bad),
     * since a batch holding it would fail on every retry; the same characters as text (an escaped backslash) load.
     */
    @Test
    void propsPostgresRefusesAreNamedBeforeTheBatch() throws SQLException {
        String schema = schema();
        try (PostgresWarehouse w = PostgresWarehouse.open(config(schema))) {
            w.migrate();
            StoredEvent nul = withProps(LoaderFixtures.event(50), "{\"plan\":\"a\\u0000b\"}");
            StoredEvent text = withProps(LoaderFixtures.event(51), "{\"plan\":\"a\\\\u0000b\"}");
            assertEquals("nul_character", w.rejection(nul));
            assertNull(w.rejection(text));
            assertThrows(SQLException.class, () -> w.write(List.of(nul), TOPIC, List.of(new OffsetCommit(1, OffsetCommit.NONE, 1))));
            // Likewise a number past PostgreSQL's numeric, even a zero.
            for (String number : List.of("1e-16384", "0e-16384", "1e400")) {
                StoredEvent huge = withProps(LoaderFixtures.event(52), "{\"n\":" + number + "}");
                assertEquals("numeric_out_of_range", w.rejection(huge), number);
                if (!number.equals("1e400")) {
                    assertThrows(SQLException.class, () -> w.write(List.of(huge), TOPIC,
                            List.of(new OffsetCommit(1, OffsetCommit.NONE, 1))), number);
                }
            }
            assertEquals(1, w.write(List.of(text), TOPIC, List.of(new OffsetCommit(1, OffsetCommit.NONE, 1))));
            try (Connection c = w.readConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT props->>'plan' FROM events")) {
                rs.next();
                assertEquals("a\\u0000b", rs.getString(1));
            }
        }
    }

    private static StoredEvent withProps(StoredEvent e, String props) {
        return new StoredEvent(e.eventId(), e.site(), "event", "signup", e.receivedAt(), null, e.url(), e.host(), e.path(),
                null, null, null, null, "direct", null, null, null, null, null, "v", "s", 1, true, null, null, null, null,
                null, false, null, null, null, null, null, null, props, "p1", null);
    }

    @Test
    void aZombieBatchIsRefusedAndWritesNothing() throws SQLException {
        String schema = schema();
        try (PostgresWarehouse w = PostgresWarehouse.open(config(schema))) {
            w.migrate();
            w.write(events(0, 10), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 100)));
            w.write(events(10, 15), TOPIC, List.of(new OffsetCommit(0, 100, 150)));
            List<StoredEvent> stale = events(100, 120);
            assertThrows(StaleBatchException.class, () -> w.write(stale, TOPIC, List.of(new OffsetCommit(0, 100, 130))));
            assertEquals(15, rows(w));
            assertEquals(Map.of(0, 150L), w.storedOffsets(TOPIC));
            // Control: read from the stored offset, the same rows are accepted.
            assertEquals(20, w.write(stale, TOPIC, List.of(new OffsetCommit(0, 150, 170))));
            // A batch repeating stored ids takes the staging path: only the new ids are inserted.
            assertEquals(5, w.write(events(110, 125), TOPIC, List.of(new OffsetCommit(0, 170, 185))));
            assertEquals(40, rows(w));
            assertEquals(Map.of(0, 185L), w.storedOffsets(TOPIC));
        }
    }

    @Test
    void twoLoadersRacingForOnePartitionCommitOnce() throws Exception {
        String schema = schema();
        try (PostgresWarehouse a = PostgresWarehouse.open(config(schema)); PostgresWarehouse b = PostgresWarehouse.open(config(schema))) {
            a.migrate();
            a.write(events(0, 1), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 1)));
            for (int round = 0; round < 10; round++) {
                long from = 1 + round * 100L;
                CountDownLatch go = new CountDownLatch(1);
                int base = 1000 + round * 1000;
                CompletableFuture<Boolean> first = race(a, go, events(base, base + 300), from);
                CompletableFuture<Boolean> second = race(b, go, events(base + 500, base + 800), from);
                go.countDown();
                assertEquals(1, (first.get() ? 1 : 0) + (second.get() ? 1 : 0), "exactly one of two racing batches commits");
                assertEquals(1 + (round + 1) * 300L, rows(a));
                assertEquals(Map.of(0, from + 100), a.storedOffsets(TOPIC));
            }
        }
    }

    @Test
    void promoteSwapsTablesInOneTransaction() throws SQLException {
        String schema = schema();
        try (PostgresWarehouse w = PostgresWarehouse.open(config(schema))) {
            w.migrate();
            w.write(events(0, 5), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 5)));
            w.createTable("events_v2");
            assertEquals(3, w.append("events_v2", events(0, 3)));
            assertEquals(5, rows(w));
            w.promote("events_v2");
            assertEquals(3, rows(w));
            assertThrows(IllegalStateException.class, () -> w.promote("events_v9"));
            assertEquals(2, w.write(events(10, 12), TOPIC, List.of(new OffsetCommit(0, 5, 7))), "loading continues into the new table");
            try (Connection c = LoaderFixtures.postgres()) {
                assertEquals(5, LoaderFixtures.count(c, "SELECT count(*) FROM " + schema + ".events_prev"));
                assertEquals(1, LoaderFixtures.count(c, "SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema
                        + "' AND tablename = 'events' AND indexname = 'events_site_received_at'"),
                        "the promoted table has the index too, under the live table's name");
            }
            // The name events_v2 again, as a user iterating on a rule would: its replay table gets its own index.
            try (Connection c = LoaderFixtures.postgres(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE " + schema + ".events_prev");
            }
            w.createTable("events_v2");
            w.promote("events_v2");
            try (Connection c = LoaderFixtures.postgres()) {
                assertEquals(1, LoaderFixtures.count(c, "SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema
                        + "' AND tablename = 'events' AND indexname = 'events_site_received_at'"), "the second promoted table's index");
                assertEquals(1, LoaderFixtures.count(c, "SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema
                        + "' AND tablename = 'events_prev' AND indexname = 'events_prev_site_received_at'"), "and the previous one's");
            }
        }
    }

    private static CompletableFuture<Boolean> race(PostgresWarehouse w, CountDownLatch go, List<StoredEvent> events, long from) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                go.await();
                w.write(events, TOPIC, List.of(new OffsetCommit(0, from, from + 100)));
                return true;
            } catch (StaleBatchException e) {
                return false;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static List<StoredEvent> events(int from, int to) {
        List<StoredEvent> events = new ArrayList<>();
        for (int i = from; i < to; i++) {
            events.add(LoaderFixtures.event(i));
        }
        return events;
    }

    private static long rows(PostgresWarehouse w) throws SQLException {
        try (Connection c = w.readConnection()) {
            return LoaderFixtures.count(c, "SELECT count(*) FROM events");
        }
    }
}
