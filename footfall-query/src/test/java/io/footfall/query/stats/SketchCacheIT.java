package io.footfall.query.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.query.testing.TestWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The path and event-name lists served from summaries of finished hours and days (DuckDB, visitors
 * estimated) against the same lists counted over the events table: the same values with exactly the same
 * page view and event counts, visitors within the estimate's error, for ranges with and without whole days,
 * with and without bots; a summary is never served once the rows of its hours changed and their versions went
 * up. The fixture: one event every 20 s from 2026-11-08 00:00 to 2026-11-10 12:16 UTC, seven paths, every
 * fifth a custom event of three names, 1,000 visitors, every 50th a bot, every 97th without a visitor id; the
 * clock stands at 2026-11-10 12:10.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SketchCacheIT {

    static final int EVENTS = 10_850;
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-10T12:10:00Z"), ZoneOffset.UTC);

    @TempDir
    static Path dir;

    private TestWarehouse duck;

    @BeforeAll
    void start() throws Exception {
        duck = TestWarehouse.duckdb(dir.resolve("sketches.duckdb"));
        try (Connection c = duck.readConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO events (event_id, site, type, name, received_at, path, visitor_id, session_id, session_seq, "
                    + "is_new_session, is_bot) SELECT uuid(), 'sk.test', CASE WHEN i % 5 = 0 THEN 'event' ELSE 'pageview' END, "
                    + "CASE WHEN i % 5 = 0 THEN 'e' || (i % 3) END, TIMESTAMPTZ '2026-11-08 00:00:00+00' + i * INTERVAL '20 seconds', "
                    + "'/p' || (i % 7), CASE WHEN i % 97 = 0 THEN NULL ELSE 'v' || (i % 1000) END, 's' || i, 1, true, i % 50 = 1 "
                    + "FROM generate_series(0, " + (EVENTS - 1) + ") AS g(i) ORDER BY i");
        }
        duck.rebuildSessions();
    }

    @AfterAll
    void stop() {
        duck.close();
    }

    private static StatsRequest request(String from, String to, boolean bots) throws Exception {
        return StatsRequest.from(Map.of("site", "sk.test", "from", from, "to", to, "include_bots", String.valueOf(bots)),
                true, Set.of());
    }

    /** value → pageviews/events, and value → visitors, of a list. */
    private record Counts(Map<String, String> rows, Map<String, Long> visitors) {
    }

    private static Counts counts(List<StatsQueries.TopRow> list) {
        Map<String, String> rows = new TreeMap<>();
        Map<String, Long> visitors = new TreeMap<>();
        for (StatsQueries.TopRow r : list) {
            rows.put(r.value(), r.pageviews() + "/" + r.events());
            visitors.put(r.value(), r.visitors());
        }
        return new Counts(rows, visitors);
    }

    private void assertSameListAsTheEventsTable(StatsRequest request, Dimension dimension) throws SQLException {
        StatsQueries.Counted<List<StatsQueries.TopRow>> estimated = new StatsQueries(duck, CLOCK, 0).top(request, dimension, 100);
        StatsQueries.Counted<List<StatsQueries.TopRow>> exact = new StatsQueries(duck, CLOCK, Long.MAX_VALUE).top(request, dimension, 100);
        String what = dimension + " " + request.range() + " bots=" + request.includeBots();
        assertTrue(estimated.visitorsEstimated(), what);
        Counts e = counts(estimated.value());
        Counts x = counts(exact.value());
        assertEquals(x.rows(), e.rows(), what);
        for (Map.Entry<String, Long> v : x.visitors().entrySet()) {
            long got = e.visitors().get(v.getKey());
            assertTrue(Math.abs(got - v.getValue()) <= Math.max(2, v.getValue() * 0.06),
                    what + " " + v.getKey() + ": " + got + " visitors estimated, " + v.getValue() + " counted");
        }
    }

    @Test
    void listsFromSummariesEqualTheEventsTableOnEveryKindOfRange() throws Exception {
        List<StatsRequest> ranges = List.of(
                // Two whole days, the finished hours of the third, its unfinished hour and the future.
                request("2026-11-08T00:00:00Z", "2026-11-11T00:00:00Z", false),
                request("2026-11-08T00:00:00Z", "2026-11-11T00:00:00Z", true),
                // Partial hours at both ends, one whole day, hours of two others.
                request("2026-11-08T05:30:00Z", "2026-11-10T12:05:00Z", false),
                request("2026-11-08T05:30:00Z", "2026-11-10T12:05:00Z", true),
                // Whole hours only.
                request("2026-11-10T03:00:00Z", "2026-11-10T09:00:00Z", false));
        for (int pass = 0; pass < 2; pass++) {
            // Once building the summaries, once serving them.
            for (StatsRequest r : ranges) {
                assertSameListAsTheEventsTable(r, Dimension.PATH);
                assertSameListAsTheEventsTable(r, Dimension.EVENT_NAME);
            }
        }
    }

    @Test
    void aRangeWithoutAFinishedWholeHourIsScannedAsBefore() throws Exception {
        SketchCache cache = new SketchCache(64L << 20);
        assertNull(cache.top(duck, request("2026-11-10T12:01:00Z", "2026-11-10T12:30:00Z", false), Dimension.PATH, 10,
                CLOCK.instant()));
        assertNull(cache.top(duck, request("2026-11-10T10:30:00Z", "2026-11-10T11:29:00Z", false), Dimension.PATH, 10,
                CLOCK.instant()));
        assertNotNull(cache.top(duck, request("2026-11-10T10:00:00Z", "2026-11-10T11:00:00Z", false), Dimension.PATH, 10,
                CLOCK.instant()));
        assertSameListAsTheEventsTable(request("2026-11-10T12:01:00Z", "2026-11-10T12:30:00Z", false), Dimension.PATH);
    }

    @Test
    void aSummaryIsNotServedOnceItsHoursChanged() throws Exception {
        try (TestWarehouse w = TestWarehouse.duckdb(dir.resolve("stale.duckdb"))) {
            try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO events (event_id, site, type, received_at, path, visitor_id, is_bot) SELECT uuid(), "
                        + "'st.test', 'pageview', TIMESTAMPTZ '2026-11-08 00:00:00+00' + i * INTERVAL '1 minute', '/', 'v' || i, false "
                        + "FROM generate_series(0, 2 * 1440 - 1) AS g(i)");
            }
            w.rebuildSessions();
            StatsRequest twoDays = StatsRequest.from(Map.of("site", "st.test", "from", "2026-11-08T00:00:00Z",
                    "to", "2026-11-10T00:00:00Z"), true, Set.of());
            StatsQueries queries = new StatsQueries(w, CLOCK, 0);
            assertEquals(2880, queries.top(twoDays, Dimension.PATH, 10).value().get(0).pageviews());
            try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO events (event_id, site, type, received_at, path, visitor_id, is_bot) VALUES "
                        + "(uuid(), 'st.test', 'pageview', TIMESTAMPTZ '2026-11-09 10:15:00+00', '/', 'late', false)");
            }
            // Control: rows added without raising their hour's version are not seen — the summary is what answered.
            assertEquals(2880, queries.top(twoDays, Dimension.PATH, 10).value().get(0).pageviews());
            try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
                st.execute("UPDATE footfall_hour_versions SET version = version + 1 WHERE site = 'st.test' "
                        + "AND hour = epoch(TIMESTAMPTZ '2026-11-09 10:00:00+00') // 3600");
            }
            assertEquals(2881, queries.top(twoDays, Dimension.PATH, 10).value().get(0).pageviews());
            // A late row in an hour that had none: its version row appears with it, as the loader writes both.
            try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM events WHERE site = 'st.test' AND received_at >= TIMESTAMPTZ '2026-11-08 05:00:00+00' "
                        + "AND received_at < TIMESTAMPTZ '2026-11-08 06:00:00+00'");
                st.execute("DELETE FROM footfall_hour_versions WHERE site = 'st.test' AND hour = epoch(TIMESTAMPTZ '2026-11-08 05:00:00+00') // 3600");
            }
            w.rebuildSessions();
            assertEquals(2821, queries.top(twoDays, Dimension.PATH, 10).value().get(0).pageviews(), "promote raises every hour's version");
            try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO events (event_id, site, type, received_at, path, visitor_id, is_bot) VALUES "
                        + "(uuid(), 'st.test', 'pageview', TIMESTAMPTZ '2026-11-08 05:30:00+00', '/new', 'late', false)");
                st.execute("INSERT INTO footfall_hour_versions VALUES ('st.test', epoch(TIMESTAMPTZ '2026-11-08 05:00:00+00') // 3600, 1)");
            }
            List<StatsQueries.TopRow> after = queries.top(twoDays, Dimension.PATH, 10).value();
            assertEquals(Map.of("/", "2821/0", "/new", "1/0"), counts(after).rows());
        }
    }

    @Test
    void summariesBeyondTheBoundAreDroppedAndTheListStaysRight() throws Exception {
        StatsRequest request = request("2026-11-08T00:00:00Z", "2026-11-11T00:00:00Z", false);
        SketchCache tiny = new SketchCache(1);
        StatsQueries.Scan<List<StatsQueries.TopRow>> first = tiny.top(duck, request, Dimension.PATH, 100, CLOCK.instant());
        StatsQueries.Scan<List<StatsQueries.TopRow>> again = tiny.top(duck, request, Dimension.PATH, 100, CLOCK.instant());
        assertEquals(first, again);
        assertEquals(counts(new StatsQueries(duck, CLOCK, Long.MAX_VALUE).top(request, Dimension.PATH, 100).value()).rows(),
                counts(again.value()).rows());
    }

    @Test
    void theServerPreparesTheSummariesOfItsSitesAtStart() throws Exception {
        StatsQueries queries = new StatsQueries(duck, CLOCK, 0);
        assertEquals(1, queries.warmSummaries(), "sk.test");
        // The first view's totals and lists, and (the most recently active site's) every other list.
        for (Dimension d : new Dimension[] {null, Dimension.PATH, Dimension.COUNTRY, Dimension.CITY, Dimension.EXIT_PAGE}) {
            assertTrue(queries.sketches().holds("sk.test", d), String.valueOf(d));
        }
        assertTrue(!queries.sketches().holds("other.test", Dimension.PATH));
        try (TestWarehouse pg = TestWarehouse.postgres("sketches")) {
            assertEquals(0, new StatsQueries(pg, CLOCK, 0).warmSummaries(), "PostgreSQL keeps no summaries");
        }
    }

    @Test
    void aWarehouseWithoutHourVersionsIsScannedAsBefore() throws Exception {
        try (TestWarehouse w = TestWarehouse.duckdb(dir.resolve("old.duckdb"))) {
            try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE footfall_hour_versions");
            }
            assertNull(new SketchCache(64L << 20).top(w, request("2026-11-08T00:00:00Z",
                    "2026-11-10T00:00:00Z", false), Dimension.PATH, 10, CLOCK.instant()));
        }
    }
}
