package io.footfall.query.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.footfall.core.config.QueryConfig;
import io.footfall.query.QueryServer;
import io.footfall.query.testing.TestWarehouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Visitors are counted exactly while a query aggregates at most {@code query.exactVisitorsUpTo} rows and
 * estimated above (DuckDB); every other number stays exact, and each answer says which it is. The fixture:
 * 6,000 one-page-view sessions of 3,000 visitors, a third of them each from DE, US and FR.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EstimatedVisitorsIT {

    private static final int SESSIONS = 6_000;
    private static final int VISITORS = 3_000;
    private static final String RANGE = "site=est.test&from=2026-11-10T00:00:00Z&to=2026-11-11T00:00:00Z";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-12T00:00:00Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    private TestWarehouse duck;
    private TestWarehouse pg;
    private QueryServer estimating;
    private int estimatingPort;
    private QueryServer exact;
    private int exactPort;

    @BeforeAll
    void start() throws Exception {
        duck = TestWarehouse.of("duckdb", dir, "estimated");
        pg = TestWarehouse.of("postgres", dir, "estimated");
        for (TestWarehouse w : List.of(duck, pg)) {
            fill(w);
        }
        estimating = new QueryServer(new QueryConfig("127.0.0.1", 0).withExactVisitorsUpTo(0), duck, () -> "", CLOCK);
        estimatingPort = estimating.start();
        exact = new QueryServer(new QueryConfig("127.0.0.1", 0), duck, () -> "", CLOCK);
        exactPort = exact.start();
    }

    @AfterAll
    void stop() {
        estimating.close();
        exact.close();
        duck.close();
        pg.close();
    }

    /** Session i: visitor i % 3,000, one page view at 10:00 + i seconds, country by i % 3. */
    private static void fill(TestWarehouse w) throws Exception {
        boolean duckdb = w.dialect().equals("duckdb");
        String id = duckdb ? "uuid()" : "gen_random_uuid()";
        try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO events (event_id, site, type, received_at, path, visitor_id, session_id, session_seq, "
                    + "is_new_session, is_bot, country) SELECT " + id + ", 'est.test', 'pageview', "
                    + "TIMESTAMPTZ '2026-11-10 10:00:00+00' + i * INTERVAL '1 second', '/', 'v' || (i % " + VISITORS + "), "
                    + "'s' || i, 1, true, false, CASE i % 3 WHEN 0 THEN 'DE' WHEN 1 THEN 'US' ELSE 'FR' END "
                    + "FROM generate_series(0, " + (SESSIONS - 1) + ") AS g(i)");
        }
        w.rebuildSessions();
    }

    private static JsonNode get(int port, String query) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + query)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), query + " -> " + r.body());
        return JSON.readTree(r.body());
    }

    private static void assertNear(long expected, long actual, String what) {
        assertTrue(Math.abs(actual - expected) <= expected * 0.10, what + ": " + actual + " is not within 10% of " + expected);
    }

    @Test
    void summaryEstimatesOnlyVisitorsAboveTheLimitAndSaysSo() throws Exception {
        JsonNode estimated = get(estimatingPort, "/api/stats/summary?" + RANGE);
        JsonNode counted = get(exactPort, "/api/stats/summary?" + RANGE);
        assertTrue(estimated.get("visitors_estimated").asBoolean());
        assertFalse(counted.get("visitors_estimated").asBoolean());
        assertEquals(VISITORS, counted.get("visitors").asLong());
        assertNear(VISITORS, estimated.get("visitors").asLong(), "estimated visitors");
        for (String exactField : List.of("sessions", "pageviews", "events", "views_per_session", "bounce_rate")) {
            assertEquals(counted.get(exactField), estimated.get(exactField), exactField);
        }
        assertEquals(SESSIONS, estimated.get("sessions").asLong());
        // The previous period is empty: nothing to estimate.
        assertFalse(estimated.get("previous").get("visitors_estimated").asBoolean());
    }

    @Test
    void topListAndTimeSeriesEstimateVisitorsAndSaySo() throws Exception {
        JsonNode top = get(estimatingPort, "/api/stats/top?" + RANGE + "&dimension=country");
        assertTrue(top.get("visitors_estimated").asBoolean());
        assertEquals(3, top.get("rows").size());
        for (JsonNode row : top.get("rows")) {
            // Visitor v is always in country v % 3: a third of the visitors each.
            assertNear(VISITORS / 3, row.get("visitors").asLong(), row.get("value").asText());
            assertEquals(SESSIONS / 3, row.get("pageviews").asLong(), row.get("value").asText());
        }
        JsonNode exactTop = get(exactPort, "/api/stats/top?" + RANGE + "&dimension=country");
        assertFalse(exactTop.get("visitors_estimated").asBoolean());
        exactTop.get("rows").forEach(row -> assertEquals(VISITORS / 3, row.get("visitors").asLong()));

        JsonNode series = get(estimatingPort, "/api/stats/timeseries?" + RANGE + "&interval=day");
        assertTrue(series.get("visitors_estimated").asBoolean());
        assertNear(VISITORS, series.get("points").get(0).get("visitors").asLong(), "day bucket");
        // Page-path top lists and path filters read the events table: the same rule applies there.
        JsonNode paths = get(estimatingPort, "/api/stats/top?" + RANGE + "&dimension=path");
        assertTrue(paths.get("visitors_estimated").asBoolean());
        assertNear(VISITORS, paths.get("rows").get(0).get("visitors").asLong(), "path /");
        JsonNode exactPaths = get(exactPort, "/api/stats/top?" + RANGE + "&dimension=path");
        assertEquals(VISITORS, exactPaths.get("rows").get(0).get("visitors").asLong());
    }

    @Test
    void theLimitIsInclusive() throws Exception {
        StatsRequest request = StatsRequest.from(Map.of("site", "est.test", "from", "2026-11-10T00:00:00Z",
                "to", "2026-11-11T00:00:00Z"), true, Set.of());
        StatsQueries atLimit = new StatsQueries(duck, CLOCK, SESSIONS);
        StatsQueries belowLimit = new StatsQueries(duck, CLOCK, SESSIONS - 1);
        StatsQueries.Summary exactly = atLimit.summary(request);
        assertFalse(exactly.visitorsEstimated());
        assertEquals(VISITORS, exactly.visitors());
        assertTrue(belowLimit.summary(request).visitorsEstimated());
        assertTrue(belowLimit.top(request, Dimension.fromWire("dimension", "country"), 10).visitorsEstimated());
        assertFalse(atLimit.top(request, Dimension.fromWire("dimension", "country"), 10).visitorsEstimated());
        assertFalse(atLimit.timeseries(request, Interval.fromWire("hour"), ZoneId.of("UTC")).visitorsEstimated());
        assertTrue(belowLimit.timeseries(request, Interval.fromWire("hour"), ZoneId.of("UTC")).visitorsEstimated());
    }

    /**
     * A query first runs the way the last one of its shape needed (one query per poll of the same view), and
     * its answer is still exact exactly when it covered at most the limit: ranges of the same shape (same
     * start day and order of magnitude of length) over 3,000 and 6,000 sessions, limit 3,000.
     */
    @Test
    void theLastQueryOfTheSameShapeDecidesHowTheNextStartsNotWhatItAnswers() throws Exception {
        StatsQueries queries = new StatsQueries(duck, CLOCK, 3_000);
        StatsRequest half = StatsRequest.from(Map.of("site", "est.test", "from", "2026-11-10T00:00:00Z",
                "to", "2026-11-10T10:50:00Z"), true, Set.of());
        StatsRequest all = StatsRequest.from(Map.of("site", "est.test", "from", "2026-11-10T00:00:00Z",
                "to", "2026-11-10T12:00:00Z"), true, Set.of());
        assertEquals(new StatsQueries.Summary(3_000, 3_000, 3_000, 0, 1.0, 100.0, 0.0, false), queries.summary(half));
        // Started exact (the last query of this shape was small): exact over 6,000 sessions, said so.
        StatsQueries.Summary exactOverMore = queries.summary(all);
        assertFalse(exactOverMore.visitorsEstimated());
        assertEquals(VISITORS, exactOverMore.visitors());
        assertTrue(queries.summary(all).visitorsEstimated());
        // Started estimating (the last one was large), covered few rows: counted again, exactly.
        assertEquals(new StatsQueries.Summary(3_000, 3_000, 3_000, 0, 1.0, 100.0, 0.0, false), queries.summary(half));
    }

    @Test
    void postgresAlwaysCountsExactly() throws Exception {
        StatsRequest request = StatsRequest.from(Map.of("site", "est.test", "from", "2026-11-10T00:00:00Z",
                "to", "2026-11-11T00:00:00Z"), true, Set.of());
        StatsQueries queries = new StatsQueries(pg, CLOCK, 0);
        StatsQueries.Summary s = queries.summary(request);
        assertFalse(s.visitorsEstimated());
        assertEquals(VISITORS, s.visitors());
        StatsQueries.Counted<List<StatsQueries.TopRow>> top = queries.top(request, Dimension.fromWire("dimension", "country"), 10);
        assertFalse(top.visitorsEstimated());
        top.value().forEach(row -> assertEquals(VISITORS / 3, row.visitors()));
    }
}
