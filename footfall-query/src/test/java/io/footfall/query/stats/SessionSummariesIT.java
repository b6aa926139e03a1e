package io.footfall.query.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.query.testing.TestWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
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
 * The summary, the time series and the lists of the session attributes served from summaries of the sessions
 * rollup by start hour (DuckDB, visitors estimated, no filters) against the same stats counted over the rollup
 * itself: identical session, page view, event and bounce counts and durations, visitors within the estimate's
 * error, for ranges with and without whole days, with and without bots, in zones with whole-hour and
 * half-hour offsets; and a summary is never served once a session of its hours changed and their versions went
 * up. The fixture: one event every 20 s from 2026-11-08 00:00 to 2026-11-10 12:16 UTC in sessions of seven
 * (2 minutes, some across an hour), every eleventh event a one-event session of its own, every fifth a custom
 * event; 300 visitors, every 50th session a bot, every 97th without a visitor id; the clock stands at
 * 2026-11-10 12:10.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionSummariesIT {

    /** The path and event-name lists' fixture's span and clock ({@link SketchCacheIT}): the same hours. */
    private static final int EVENTS = SketchCacheIT.EVENTS;
    private static final Clock CLOCK = SketchCacheIT.CLOCK;

    @TempDir
    static Path dir;

    private TestWarehouse duck;

    @BeforeAll
    void start() throws Exception {
        duck = TestWarehouse.duckdb(dir.resolve("sessions.duckdb"));
        fill(duck, "ss.test");
    }

    private static void fill(TestWarehouse w, String site) throws Exception {
        try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO events (event_id, site, type, name, received_at, path, visitor_id, session_id, session_seq, "
                    + "is_new_session, is_bot, referrer_host, referrer_type, country, browser, device_type, utm_campaign, referrer_source) "
                    + "SELECT uuid(), '" + site + "', CASE WHEN i % 5 = 0 THEN 'event' ELSE 'pageview' END, "
                    + "CASE WHEN i % 5 = 0 THEN 'e' || (i % 3) END, TIMESTAMPTZ '2026-11-08 00:00:00+00' + i * INTERVAL '20 seconds', "
                    + "'/p' || (i % 9), CASE WHEN (i // 7) % 97 = 0 THEN NULL ELSE 'v' || ((i // 7) % 300) END, "
                    + "CASE WHEN i % 11 = 0 THEN 'b' || i ELSE 's' || (i // 7) END, 1 + i % 7, i % 7 = 0, (i // 7) % 50 = 1, "
                    + "CASE (i // 7) % 4 WHEN 0 THEN NULL WHEN 1 THEN 'google.com' ELSE 'news' || ((i // 7) % 3) || '.test' END, "
                    + "CASE WHEN (i // 7) % 4 = 0 THEN 'direct' ELSE 'search' END, 'C' || ((i // 7) % 6), 'B' || ((i // 7) % 4), "
                    + "CASE WHEN i % 2 = 0 THEN 'mobile' ELSE 'desktop' END, CASE WHEN (i // 7) % 10 = 0 THEN 'spring' END, "
                    + "CASE (i // 7) % 4 WHEN 0 THEN NULL WHEN 1 THEN 'Google' ELSE 'news' || ((i // 7) % 3) || '.test' END "
                    + "FROM generate_series(0, " + (EVENTS - 1) + ") AS g(i) ORDER BY i");
        }
        w.rebuildSessions();
    }

    @AfterAll
    void stop() {
        duck.close();
    }

    private static StatsRequest request(String site, String from, String to, boolean bots) throws Exception {
        return StatsRequest.from(Map.of("site", site, "from", from, "to", to, "include_bots", String.valueOf(bots)), true, Set.of());
    }

    private static List<StatsRequest> ranges() throws Exception {
        return List.of(
                // Two whole days, the finished hours of the third, its unfinished hour and the future.
                request("ss.test", "2026-11-08T00:00:00Z", "2026-11-11T00:00:00Z", false),
                request("ss.test", "2026-11-08T00:00:00Z", "2026-11-11T00:00:00Z", true),
                // Partial hours at both ends, one whole day, hours of two others.
                request("ss.test", "2026-11-08T05:30:00Z", "2026-11-10T12:05:00Z", false),
                request("ss.test", "2026-11-08T05:30:00Z", "2026-11-10T12:05:00Z", true),
                // Whole hours only.
                request("ss.test", "2026-11-10T03:00:00Z", "2026-11-10T09:00:00Z", false));
    }

    /** One instance, whose summaries the tests' second passes are served from. */
    private StatsQueries estimating;

    private StatsQueries estimating() {
        if (estimating == null) {
            estimating = new StatsQueries(duck, CLOCK, 0);
        }
        return estimating;
    }

    private StatsQueries exact() {
        return new StatsQueries(duck, CLOCK, Long.MAX_VALUE);
    }

    private static void assertClose(long counted, long estimated, String what) {
        assertTrue(Math.abs(estimated - counted) <= Math.max(2, counted * 0.06), what + ": " + estimated + " visitors estimated, "
                + counted + " counted");
    }

    @Test
    void sessionListsFromSummariesEqualTheRollup() throws Exception {
        List<Dimension> dimensions = Arrays.stream(Dimension.values()).filter(d -> d.sessionColumn() != null).toList();
        assertEquals(16, dimensions.size());
        for (int pass = 0; pass < 2; pass++) {
            // Once building the summaries, once serving them.
            for (StatsRequest r : ranges()) {
                for (Dimension d : dimensions) {
                    StatsQueries.Counted<List<StatsQueries.TopRow>> estimated = estimating().top(r, d, 100);
                    List<StatsQueries.TopRow> counted = exact().top(r, d, 100).value();
                    String what = d + " " + r.range() + " bots=" + r.includeBots();
                    assertTrue(estimated.visitorsEstimated(), what);
                    assertEquals(counts(counted), counts(estimated.value()), what);
                    Map<String, Long> visitors = new TreeMap<>();
                    estimated.value().forEach(row -> visitors.put(String.valueOf(row.value()), row.visitors()));
                    for (StatsQueries.TopRow row : counted) {
                        assertClose(row.visitors(), visitors.get(String.valueOf(row.value())), what + " " + row.value());
                    }
                }
            }
        }
    }

    /**
     * A short list merges the sketches of the values it can show only (a value's visitors are at most its rows):
     * it is the head of the full list, in the same order with the same numbers.
     */
    @Test
    void aShortListIsTheHeadOfTheFullOne() throws Exception {
        for (StatsRequest r : ranges()) {
            for (Dimension d : Dimension.values()) {
                if (d == Dimension.PROP) {
                    continue; // a property's list names its key: StatsApiIT
                }
                List<StatsQueries.TopRow> full = estimating().top(r, d, 100).value();
                for (int limit : new int[] {1, 3}) {
                    assertEquals(full.subList(0, Math.min(limit, full.size())), estimating().top(r, d, limit).value(),
                            d + " limit " + limit + " " + r.range());
                }
            }
        }
    }

    /** value → page views / events / sessions of a list. */
    private static Map<String, String> counts(List<StatsQueries.TopRow> list) {
        Map<String, String> rows = new TreeMap<>();
        for (StatsQueries.TopRow r : list) {
            rows.put(String.valueOf(r.value()), r.pageviews() + "/" + r.events() + "/" + r.sessions());
        }
        return rows;
    }

    @Test
    void theSummaryFromSummariesEqualsTheRollup() throws Exception {
        for (int pass = 0; pass < 2; pass++) {
            for (StatsRequest r : ranges()) {
                StatsQueries.Summary estimated = estimating().summary(r);
                StatsQueries.Summary counted = exact().summary(r);
                String what = r.range() + " bots=" + r.includeBots();
                assertTrue(estimated.visitorsEstimated(), what);
                assertTrue(counted.sessions() > 0, what);
                assertEquals(withoutVisitors(counted), withoutVisitors(estimated), what);
                assertClose(counted.visitors(), estimated.visitors(), what);
            }
        }
    }

    private static String withoutVisitors(StatsQueries.Summary s) {
        return s.sessions() + " sessions, " + s.pageviews() + " page views, " + s.events() + " events, " + s.viewsPerSession()
                + " per session, " + s.bounceRate() + " % bounced, " + s.visitDurationSeconds() + " s";
    }

    @Test
    void timeSeriesFromSummariesEqualTheRollup() throws Exception {
        List<ZoneId> zones = List.of(ZoneOffset.UTC, ZoneId.of("America/Los_Angeles"), ZoneId.of("Asia/Kolkata"));
        for (int pass = 0; pass < 2; pass++) {
            for (StatsRequest r : ranges()) {
                for (ZoneId zone : zones) {
                    for (Interval interval : List.of(Interval.HOUR, Interval.DAY, Interval.WEEK, Interval.MONTH)) {
                        StatsQueries.Counted<List<StatsQueries.Point>> estimated = estimating().timeseries(r, interval, zone);
                        List<StatsQueries.Point> counted = exact().timeseries(r, interval, zone).value();
                        String what = interval + " " + zone + " " + r.range() + " bots=" + r.includeBots();
                        assertTrue(estimated.visitorsEstimated(), what);
                        assertEquals(points(counted), points(estimated.value()), what);
                        for (int i = 0; i < counted.size(); i++) {
                            assertClose(counted.get(i).visitors(), estimated.value().get(i).visitors(), what + " " + counted.get(i).start());
                        }
                    }
                }
            }
        }
    }

    private static List<String> points(List<StatsQueries.Point> points) {
        List<String> out = new ArrayList<>();
        for (StatsQueries.Point p : points) {
            out.add(p.start() + " " + p.pageviews() + "/" + p.events() + "/" + p.sessions());
        }
        return out;
    }

    @Test
    void aSummaryIsNotServedOnceASessionOfItsHoursChanged() throws Exception {
        try (TestWarehouse w = TestWarehouse.duckdb(dir.resolve("stale.duckdb"))) {
            fill(w, "st.test");
            StatsRequest twoDays = request("st.test", "2026-11-08T00:00:00Z", "2026-11-10T00:00:00Z", false);
            StatsQueries queries = new StatsQueries(w, CLOCK, 0);
            long pageviews = queries.summary(twoDays).pageviews();
            String country = queries.top(twoDays, Dimension.COUNTRY, 10).value().get(0).value();
            String countryViews = counts(queries.top(twoDays, Dimension.COUNTRY, 10).value()).get(country);
            // Session s1000 starts at 2026-11-09 14:53:20 (event 7000, 140,000 s in); a loader folding more of its events
            // into it would raise that hour's session version.
            String change = "UPDATE footfall_sessions SET pageviews = pageviews + 5, country = '" + country + "' "
                    + "WHERE site = 'st.test' AND session_id = 's1000'";
            try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
                st.execute(change);
            }
            // Control: a change without its hour's version raised is not seen — the summaries are what answered.
            assertEquals(pageviews, queries.summary(twoDays).pageviews());
            assertEquals(countryViews, counts(queries.top(twoDays, Dimension.COUNTRY, 10).value()).get(country));
            try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
                st.execute("UPDATE footfall_session_hour_versions SET version = version + 1 WHERE site = 'st.test' "
                        + "AND hour = epoch(TIMESTAMPTZ '2026-11-09 14:00:00+00') // 3600");
            }
            assertEquals(pageviews + 5, queries.summary(twoDays).pageviews());
            List<StatsQueries.TopRow> countries = queries.top(twoDays, Dimension.COUNTRY, 10).value();
            assertEquals(counts(exact(w).top(twoDays, Dimension.COUNTRY, 10).value()), counts(countries));
            assertTrue(!counts(countries).get(country).equals(countryViews), "s1000 counted under " + country + " now");
        }
    }

    private static StatsQueries exact(TestWarehouse w) {
        return new StatsQueries(w, CLOCK, Long.MAX_VALUE);
    }

    @Test
    void aWarehouseWithoutSessionHourVersionsIsReadAsBefore() throws Exception {
        try (TestWarehouse w = TestWarehouse.duckdb(dir.resolve("old.duckdb"))) {
            fill(w, "ss.test");
            try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE footfall_session_hour_versions");
            }
            StatsRequest r = ranges().get(0);
            assertEquals(null, new SketchCache(64L << 20).totals(w, r, CLOCK.instant()));
            assertEquals(withoutVisitors(exact(w).summary(r)), withoutVisitors(new StatsQueries(w, CLOCK, 0).summary(r)));
            assertNotNull(new StatsQueries(w, CLOCK, 0).top(r, Dimension.COUNTRY, 10).value().get(0).value());
        }
    }
}
