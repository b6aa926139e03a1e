package io.footfall.app.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.LoaderConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.SessionRollup;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.footfall.loader.warehouse.OffsetCommit;
import io.footfall.loader.warehouse.PostgresWarehouse;
import io.footfall.loader.warehouse.WarehouseWriter;
import io.footfall.query.stats.Dimension;
import io.footfall.query.stats.Interval;
import io.footfall.query.stats.StatsQueries;
import io.footfall.query.stats.StatsRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sessions rollup the loader keeps in each batch's transaction must equal the rollup built from the
 * stored events in one go, whatever the batches look like: sessions spread over many batches and out of
 * order, a batch delivered again, ids repeated inside a batch, events without a session, custom events
 * only. DuckDB and PostgreSQL.
 */
class SessionRollupIT {

    private static final String TOPIC = "footfall.events";
    private static final List<String> schemas = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterAll
    static void dropSchemas() throws SQLException {
        for (String schema : schemas) {
            LoaderFixtures.dropSchema(schema);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void incrementalRollupEqualsARebuildAfterRedeliveriesAndRepeats(String dialect) throws Exception {
        List<StoredEvent> all = events(3_000);
        try (Writer w = open(dialect)) {
            long next = 0;
            int inserted = 0;
            for (int from = 0; from < all.size(); from += 250) {
                List<StoredEvent> batch = new ArrayList<>(all.subList(from, Math.min(all.size(), from + 250)));
                if (from == 1_000) {
                    batch.addAll(all.subList(900, 950)); // stored already: a redelivery overlapping this batch
                    batch.add(batch.get(0));             // and one id twice within the batch
                }
                inserted += (int) w.writer.write(batch, TOPIC, List.of(new OffsetCommit(0, from == 0 ? OffsetCommit.NONE : next, next + batch.size())));
                next += batch.size();
            }
            // A whole batch delivered again (ids stored; a new offset range, as after a producer retry upstream).
            inserted += (int) w.writer.write(all.subList(0, 250), TOPIC, List.of(new OffsetCommit(0, next, next + 250)));
            assertEquals(all.size(), inserted, "every event inserted once");
            try (Connection c = w.connection()) {
                List<String> incremental = LoaderFixtures.rows(c, "SELECT " + sessionColumns(w.dialect()) + " FROM " + SessionRollup.TABLE + " ORDER BY site, session_id");
                LoaderFixtures.rebuildRollup(c, w.dialect());
                assertEquals(LoaderFixtures.rows(c, "SELECT " + sessionColumns(w.dialect()) + " FROM " + SessionRollup.TABLE + " ORDER BY site, session_id"), incremental);
                assertEquals(expectedSessions(all), LoaderFixtures.rows(c, "SELECT count(*) FILTER (WHERE NOT sessionless), "
                        + "count(*) FILTER (WHERE sessionless), sum(pageviews), sum(events) FROM " + SessionRollup.TABLE));
                // Every first-event column reached the rollup, the one added last too (both sides above would agree on
                // a column the writers left empty).
                assertEquals(List.of("3"), LoaderFixtures.rows(c, "SELECT count(DISTINCT referrer_source) FROM " + SessionRollup.TABLE));
                // One session worked out by hand: s7 of site a.test (see events()).
                assertEquals(List.of(handSession(all, "a.test", "s7")), LoaderFixtures.rows(c, "SELECT pageviews, events, entry_path, exit_path, "
                        + "referrer_host, country, referrer_source FROM " + SessionRollup.TABLE + " WHERE site = 'a.test' AND session_id = 's7'"));

                // Negative control: folding a batch whose rows are stored already (what a writer that skipped
                // the "only inserted rows" step would do) makes the two differ.
                foldAgain(c, w.dialect(), all.subList(0, 10));
                assertNotEquals(incremental, LoaderFixtures.rows(c, "SELECT " + sessionColumns(w.dialect()) + " FROM " + SessionRollup.TABLE + " ORDER BY site, session_id"));
            }
        }
    }

    /**
     * DuckDB's summaries of the rollup by session start hour (the query server's, for the dashboard) follow every
     * batch the loader writes: after each one the summary, the hourly series and three session lists served from
     * them (clock the next day: every hour finished, nothing read around them) equal those counted over the rollup.
     * The fixture's batches are out of time order, so sessions' starts keep moving to earlier hours.
     */
    @Test
    void theSummariesOfTheRollupFollowEveryBatch() throws Exception {
        List<StoredEvent> all = events(3_000);
        Clock clock = Clock.fixed(Instant.parse("2023-11-15T12:00:00Z"), ZoneOffset.UTC);
        try (DuckDbWarehouse w = DuckDbWarehouse.open(dir.resolve("summaries.duckdb"))) {
            w.migrate();
            StatsQueries summarised = new StatsQueries(w, clock, 0);
            StatsQueries exact = new StatsQueries(w, clock, Long.MAX_VALUE);
            StatsRequest day = StatsRequest.from(Map.of("site", "a.test", "from", "2023-11-14T00:00:00Z",
                    "to", "2023-11-15T00:00:00Z"), true, Set.of());
            long next = 0;
            for (int from = 0; from < all.size(); from += 250) {
                List<StoredEvent> batch = all.subList(from, Math.min(all.size(), from + 250));
                w.write(batch, TOPIC, List.of(new OffsetCommit(0, from == 0 ? OffsetCommit.NONE : next, next + batch.size())));
                next += batch.size();
                String after = "after " + next + " events";
                StatsQueries.Summary estimated = summarised.summary(day);
                assertTrue(estimated.visitorsEstimated(), after);
                assertEquals(sessionCounts(exact.summary(day)), sessionCounts(estimated), after);
                assertEquals(points(exact.timeseries(day, Interval.HOUR, ZoneOffset.UTC).value()),
                        points(summarised.timeseries(day, Interval.HOUR, ZoneOffset.UTC).value()), after);
                for (Dimension d : List.of(Dimension.COUNTRY, Dimension.ENTRY_PAGE, Dimension.EXIT_PAGE)) {
                    assertEquals(rows(exact.top(day, d, 20).value()), rows(summarised.top(day, d, 20).value()), d + " " + after);
                }
            }
        }
    }

    private static String sessionCounts(StatsQueries.Summary s) {
        return s.sessions() + " sessions, " + s.pageviews() + " page views, " + s.events() + " events, " + s.bounceRate()
                + " % bounced, " + s.visitDurationSeconds() + " s";
    }

    private static List<String> points(List<StatsQueries.Point> points) {
        return points.stream().map(p -> p.start() + " " + p.pageviews() + "/" + p.events() + "/" + p.sessions()).toList();
    }

    private static java.util.Set<String> rows(List<StatsQueries.TopRow> list) {
        return list.stream().map(r -> r.value() + " " + r.pageviews() + "/" + r.events() + "/" + r.sessions())
                .collect(java.util.stream.Collectors.toSet());
    }

    /** Every column of a session row but DuckDB's marks of the last write that changed it (not a session's data). */
    private static String sessionColumns(Dialect dialect) {
        return dialect == Dialect.DUCKDB ? "* EXCLUDE (" + SessionRollup.CHANGED_BY + ", " + SessionRollup.START_HOUR_BEFORE + ")" : "*";
    }

    /**
     * 3,000 events: 2 sites, 40 visitors, sessions of up to ~60 events spread over all batches; some session-less.
     * A session's first event in the list says it opens the session (as the enricher's first event of a session
     * does), so the writers insert its part without a merge; so do a few later events of session 5 (stored out
     * of order, as after a change of partitions upstream), whose rows are stored already: the insert fails on
     * the key and the batch must still fold exactly.
     */
    private static List<StoredEvent> events(int n) {
        SplittableRandom r = new SplittableRandom(7);
        List<StoredEvent> out = new ArrayList<>();
        java.util.Set<String> opened = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            String site = i % 3 == 0 ? "b.test" : "a.test";
            int s = r.nextInt(50);
            boolean sessionless = s == 49;
            boolean opens = !sessionless && (opened.add(site + "/s" + s) || (s == 5 && i % 7 == 0));
            boolean custom = r.nextInt(5) == 0;
            long at = 1_700_000_000_000L + r.nextInt(3_600_000);
            out.add(new StoredEvent(new UUID(0x5E55L, i).toString(), site, custom ? "event" : "pageview",
                    custom ? "signup" : null, at, null, null, site, "/p/" + r.nextInt(8), null, null, null,
                    r.nextInt(3) == 0 ? null : "ref" + r.nextInt(3) + ".test", "search", null, null, null, null, null,
                    "v" + (s % 40), sessionless ? null : "s" + s, r.nextInt(4), opens, "Firefox", null, "Linux", null,
                    "desktop", s == 3, r.nextBoolean() ? null : "C" + r.nextInt(4), null, null, null, null, null, null, "test",
                    r.nextInt(3) == 0 ? null : "Source " + r.nextInt(3)));
        }
        return out;
    }

    /** Sessions, session-less events, page views and custom events of the fixture, counted in Java. */
    private static List<String> expectedSessions(List<StoredEvent> all) {
        long sessions = all.stream().filter(e -> e.sessionId() != null).map(e -> e.site() + "/" + e.sessionId()).distinct().count();
        long sessionless = all.stream().filter(e -> e.sessionId() == null).count();
        long pageviews = all.stream().filter(e -> e.type().equals("pageview")).count();
        return List.of(sessions + "|" + sessionless + "|" + pageviews + "|" + (all.size() - pageviews));
    }

    /** The row of one session, worked out from the events in Java: the earliest and latest by (time, seq). */
    private static String handSession(List<StoredEvent> all, String site, String session) {
        java.util.Comparator<StoredEvent> order = java.util.Comparator.comparingLong(StoredEvent::receivedAt)
                .thenComparingInt(StoredEvent::sessionSeq);
        List<StoredEvent> mine = all.stream().filter(e -> e.site().equals(site) && session.equals(e.sessionId())).sorted(order).toList();
        List<StoredEvent> views = mine.stream().filter(e -> e.type().equals("pageview")).toList();
        StoredEvent first = mine.get(0);
        return views.size() + "|" + (mine.size() - views.size()) + "|" + views.get(0).path() + "|"
                + views.get(views.size() - 1).path() + "|" + first.referrerHost() + "|" + first.country() + "|" + first.referrerSource();
    }

    /** Test-only fault: folds stored events into the rollup a second time. */
    private static void foldAgain(Connection c, Dialect dialect, List<StoredEvent> stored) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE again AS SELECT * FROM events WHERE event_id IN ("
                    + String.join(", ", stored.stream().map(e -> "CAST('" + e.eventId() + "' AS UUID)").toList()) + ")");
            st.execute(SessionRollup.upsertFrom(dialect, "again", 1));
        }
    }


    private Writer open(String dialect) throws Exception {
        if (dialect.equals("duckdb")) {
            DuckDbWarehouse w = DuckDbWarehouse.open(dir.resolve("rollup.duckdb"));
            w.migrate();
            return new Writer(w, Dialect.DUCKDB, w::readConnection);
        }
        String schema = LoaderFixtures.freshSchema("rollup");
        schemas.add(schema);
        LoaderConfig config = TestBroker.baseConfig(Path.of("unused"), Map.of("loader.warehouse", "postgres",
                "loader.jdbcUrl", LoaderFixtures.PG_URL, "loader.user", "postgres", "loader.schema", schema)).loader();
        PostgresWarehouse w = PostgresWarehouse.open(config);
        w.migrate();
        return new Writer(w, Dialect.POSTGRES, () -> {
            Connection c = LoaderFixtures.postgres();
            try (Statement st = c.createStatement()) {
                st.execute("SET search_path TO " + schema);
            }
            return c;
        });
    }

    private interface Connector {
        Connection get() throws SQLException;
    }

    private record Writer(WarehouseWriter writer, Dialect dialect, Connector connector) implements AutoCloseable {
        Connection connection() throws SQLException {
            return connector.get();
        }

        @Override
        public void close() {
            writer.close();
        }
    }
}
