package io.footfall.query.stats;

import static io.footfall.query.testing.TestWarehouse.Row.event;
import static io.footfall.query.testing.TestWarehouse.Row.pageview;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.footfall.core.config.QueryConfig;
import io.footfall.query.QueryServer;
import io.footfall.query.testing.TestWarehouse;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stats API over real HTTP against a small fixture in DuckDB and in PostgreSQL, every expected number
 * computed by hand (the table in docs/api.md walks through them). The range is two days in
 * America/Los_Angeles (PST, UTC−8): [2026-11-10T08:00Z, 2026-11-12T08:00Z).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsApiIT {

    private static final String RANGE = "site=fix.test&from=2026-11-10T08:00:00Z&to=2026-11-12T08:00:00Z";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    private final Map<String, TestWarehouse> warehouses = new HashMap<>();
    private final Map<String, QueryServer> servers = new HashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-11T20:03:30Z"), ZoneOffset.UTC);
        for (String dialect : List.of("duckdb", "postgres")) {
            TestWarehouse w = TestWarehouse.of(dialect, dir, "stats");
            fixture(w);
            QueryServer server = new QueryServer(new QueryConfig("127.0.0.1", 0), w, () -> "", clock);
            warehouses.put(dialect, w);
            servers.put(dialect, server);
            ports.put(dialect, server.start());
        }
    }

    @AfterAll
    void stop() {
        servers.values().forEach(QueryServer::close);
        warehouses.values().forEach(TestWarehouse::close);
    }

    /** Five sessions of three visitors in range, two bot page views, one earlier and one later row, another site. */
    static void fixture(TestWarehouse w) throws Exception {
        String[] de = {"Chrome", "Linux", "desktop", "DE", "BE", "Berlin", "1920x1080", "en-US"};
        String[] us = {"Firefox", "macOS", "desktop", "US", "CA", "San Francisco", "1440x900", "en-GB"};
        String[] fr = {"Safari", "iOS", "mobile", "FR", "IDF", "Paris", "390x844", "fr-FR"};
        w.insert(as(pageview("2026-11-10T10:00:00Z", "v1", "s1", 1, "/").referrer("google.com", "search", "Google"), de));
        w.insert(as(pageview("2026-11-10T10:00:30Z", "v1", "s1", 2, "/pricing").referrer(null, "internal"), de));
        w.insert(as(event("2026-11-10T10:01:00Z", "v1", "s1", 3, "/pricing", "signup").referrer(null, "internal")
                .props("{\"plan\":\"pro\",\"seats\":3,\"$y\":true}"), de));
        w.insert(as(pageview("2026-11-11T07:30:00Z", "v2", "s2", 1, "/").referrer("t.co", "social", "Twitter")
                .utm("newsletter", "email", "launch"), us));
        w.insert(as(pageview("2026-11-11T08:30:00Z", "v2", "s3", 1, "/blog"), us));
        w.insert(as(pageview("2026-11-11T08:32:00Z", "v2", "s3", 2, "/pricing").referrer(null, "internal")
                .props("{\"plan\":\"free\",\"a/b~c\":\"x\"}"), us));
        // Google again, from another of its hosts: one source, two referrer hosts.
        w.insert(as(pageview("2026-11-11T20:00:00Z", "v3", "s4", 1, "/blog").referrer("www.google.de", "search", "Google")
                .props("{\"plan\":\"pro\",\"$y\":true}"), fr));
        w.insert(as(pageview("2026-11-11T15:00:00Z", "v1", "s5", 1, "/pricing"), de));
        w.insert(as(pageview("2026-11-11T12:00:00Z", "vb", "sb", 1, "/").bot().props("{\"plan\":\"pro\"}"), de));
        w.insert(as(pageview("2026-11-11T20:01:00Z", "vb", "sb2", 1, "/").bot(), de));
        w.insert(as(pageview("2026-11-09T12:00:00Z", "v1", "s0", 1, "/").props("{\"plan\":\"enterprise\"}"), de));
        w.insert(as(pageview("2026-11-12T09:00:00Z", "v4", "s6", 1, "/"), de));
        w.insert(as(pageview("2026-11-10T12:00:00Z", "v9", "s9", 1, "/").site("other.test"), de));
        // Around Los Angeles's daylight-saving changes: 01:10 and 01:45 PDT, then 01:05 and 01:30 PST on 1 November
        // (the hour from 01:00 happens twice); 01:30 PST, then 03:30 PDT on 8 March (02:00 to 03:00 never happens).
        for (String at : new String[] {"2026-11-01T08:10:00Z", "2026-11-01T08:45:00Z", "2026-11-01T09:05:00Z",
                "2026-11-01T09:30:00Z", "2026-03-08T09:30:00Z", "2026-03-08T10:30:00Z"}) {
            w.insert(as(pageview(at, "vd" + at, "sd" + at, 1, "/").site("other.test"), de));
        }
        w.rebuildSessions();
    }

    private static TestWarehouse.Row as(TestWarehouse.Row r, String[] c) {
        return r.client(c[0], c[1], c[2]).geo(c[3], c[4], c[5]).screen(c[6]).language(c[7]);
    }

    private JsonNode get(String dialect, String query, int expectedStatus) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(dialect) + query))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, r.statusCode(), dialect + " " + query + " -> " + r.body());
        return JSON.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** visitors|sessions|pageviews|events|views_per_session|bounce_rate|visit_duration_s */
    private static String summary(JsonNode n) {
        return n.get("visitors").asLong() + "|" + n.get("sessions").asLong() + "|" + n.get("pageviews").asLong() + "|"
                + n.get("events").asLong() + "|" + n.get("views_per_session").asDouble() + "|"
                + n.get("bounce_rate").asDouble() + "|" + n.get("visit_duration_s").asDouble();
    }

    /**
     * The dashboard page carries its stylesheet and script inline (no second round trip before the first
     * requests), and its Content-Security-Policy allows exactly those two by hash, no other inline code.
     */
    @Test
    void theDashboardPageCarriesItsScriptAndStyleAllowedByHash() throws Exception {
        String base = "http://127.0.0.1:" + ports.get("duckdb");
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> js = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/assets/app.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> css = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/assets/app.css")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(List.of(200, 200, 200), List.of(page.statusCode(), js.statusCode(), css.statusCode()));
        assertTrue(page.body().contains("<script>" + js.body() + "</script>"), "app.js inline");
        assertTrue(page.body().contains("<style>" + css.body() + "</style>"), "app.css inline");
        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        for (String inline : List.of(js.body(), css.body())) {
            String hash = java.util.Base64.getEncoder().encodeToString(sha.digest(inline.getBytes(StandardCharsets.UTF_8)));
            assertTrue(policy.contains("'sha256-" + hash + "'"), policy);
        }
        assertTrue(!policy.contains("unsafe-inline") && policy.contains("default-src 'self'"), policy);
        assertEquals(Optional.of("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
                js.headers().firstValue("Content-Security-Policy"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void sitesAreListedMostRecentlyActiveFirst(String dialect) throws Exception {
        JsonNode sites = get(dialect, "/api/sites", 200);
        assertEquals("[\"fix.test\",\"other.test\"]", sites.get("sites").toString());
        assertTrue(sites.get("deleted_before").isNull(), "no retention run: " + sites);
        // A retention run records its cutoff, which the dashboard names under ranges before it.
        try (Connection c = warehouses.get(dialect).readConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO footfall_retention VALUES (1, TIMESTAMPTZ '2026-01-02 03:04:05+00', CURRENT_TIMESTAMP, 0)");
            try {
                assertEquals("2026-01-02T03:04:05Z", get(dialect, "/api/sites", 200).get("deleted_before").asText());
            } finally {
                st.execute("DELETE FROM footfall_retention");
            }
        }
    }

    /** A range's edges count to the microsecond the warehouses store, a finer time rounded up (s1 starts at 10:00:00). */
    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void rangeEdgesFinerThanAMillisecondCount(String dialect) throws Exception {
        String to = "&to=2026-11-12T08:00:00Z";
        assertEquals(5, get(dialect, "/api/stats/summary?site=fix.test&from=2026-11-10T10:00:00Z" + to, 200).get("sessions").asLong());
        assertEquals(4, get(dialect, "/api/stats/summary?site=fix.test&from=2026-11-10T10:00:00.000001Z" + to, 200).get("sessions").asLong());
        assertEquals(4, get(dialect, "/api/stats/summary?site=fix.test&from=2026-11-10T10:00:00.0000001Z" + to, 200).get("sessions").asLong());
        assertEquals(4, get(dialect, "/api/stats/summary?site=fix.test&from=2026-11-10T08:00:00Z&to=2026-11-11T20:00:00Z", 200)
                .get("sessions").asLong(), "s4 starts at 20:00:00, after the range");
        assertEquals(5, get(dialect, "/api/stats/summary?site=fix.test&from=2026-11-10T08:00:00Z&to=2026-11-11T20:00:00.0000001Z", 200)
                .get("sessions").asLong(), "...and before this one's end");
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void summaryHasEveryMetricAndThePreviousPeriod(String dialect) throws Exception {
        JsonNode s = get(dialect, "/api/stats/summary?" + RANGE, 200);
        assertEquals("3|5|7|1|1.4|60.0|36.0", summary(s));
        assertEquals("2026-11-08T08:00:00Z", s.get("previous").get("from").asText());
        assertEquals("2026-11-10T08:00:00Z", s.get("previous").get("to").asText());
        assertEquals("1|1|1|0|1.0|100.0|0.0", summary(s.get("previous")));
        assertEquals("4|7|9|1|1.29|71.43|25.71", summary(get(dialect, "/api/stats/summary?" + RANGE + "&include_bots=true", 200)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '\t', value = {
            // An event-level filter (path, event_name, prop:) counts the matching page views and events; bounces and
            // durations are the matching sessions' as whole visits: s1 (2 views, a signup, 60 s), s3 (2 views, 120 s)
            // and s5 (1 view, bounced) saw /pricing.
            "path==/pricing\t2|3|3|1|1.0|33.33|60.0",
            "country!=DE\t2|3|4|0|1.33|66.67|40.0",
            "referrer_host~GOOG\t2|2|3|1|1.5|50.0|30.0",
            "referrer_host==(none)\t2|2|3|0|1.5|50.0|60.0",
            // The source by name: s1 (google.com) and s4 (www.google.de) are both Google; s3 and s5 came directly.
            "source==Google\t2|2|3|1|1.5|50.0|30.0",
            "source==(none)\t2|2|3|0|1.5|50.0|60.0",
            "source~twit\t1|1|1|0|1.0|100.0|0.0",
            "path==/pricing;source==Google\t1|1|1|1|1.0|0.0|60.0",
            "entry_page==/blog\t2|2|3|0|1.5|50.0|60.0",
            "exit_page!=/pricing\t2|2|2|0|1.0|100.0|0.0",
            "country==US|FR;path!~blog\t1|2|2|0|1.0|50.0|60.0",
            "event_name==signup\t1|1|0|1|0.0|0.0|60.0",
            "path==/a\\;b\t0|0|0|0|0.0|0.0|0.0",
            // A session attribute keeps the session's later events, whose own referrer is the site itself.
            "path==/pricing;referrer_host~google\t1|1|1|1|1.0|0.0|60.0",
            "event_name==signup;referrer_type==search\t1|1|0|1|0.0|0.0|60.0",
            // A custom property keeps the events that carry it (s1's signup, s4's page view), as event_name does.
            "prop:plan==pro\t2|2|1|1|0.5|50.0|30.0",
            "prop:plan~PR\t2|2|1|1|0.5|50.0|30.0",
            "prop:a/b\\~c==x\t1|1|1|0|1.0|0.0|120.0",
            "prop:$y==true;country==FR\t1|1|1|0|1.0|100.0|0.0",
            "prop:seats==3|4\t1|1|0|1|0.0|0.0|60.0",
            "prop:nothing==x\t0|0|0|0|0.0|0.0|0.0"})
    void filtersNarrowEveryMetric(String filters, String expected) throws Exception {
        for (String dialect : List.of("duckdb", "postgres")) {
            assertEquals(expected, summary(get(dialect, "/api/stats/summary?" + RANGE + "&filters=" + enc(filters), 200)),
                    dialect + " " + filters);
        }
    }

    private List<String> top(String dialect, String dimension, String extra) throws Exception {
        JsonNode rows = get(dialect, "/api/stats/top?" + RANGE + "&dimension=" + dimension + extra, 200).get("rows");
        List<String> out = new ArrayList<>();
        for (JsonNode r : rows) {
            String value = r.get("value").isNull() ? "null" : r.get("value").asText();
            out.add(r.has("sessions") ? value + "|" + r.get("visitors").asLong() + "|" + r.get("sessions").asLong()
                    : value + "|" + r.get("visitors").asLong() + "|" + r.get("pageviews").asLong() + "|" + r.get("events").asLong());
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '\t', value = {
            "path\t/pricing|2|3|0, /|2|2|0, /blog|2|2|0",
            "entry_page\t/|2|2, /blog|2|2, /pricing|1|1",
            "exit_page\t/pricing|2|3, /|1|1, /blog|1|1",
            "referrer_host\tnull|2|3|0, google.com|1|2|1, t.co|1|1|0, www.google.de|1|1|0",
            "source\tGoogle|2|3|1, null|2|3|0, Twitter|1|1|0",
            "referrer_type\tsearch|2|3|1, direct|2|3|0, social|1|1|0",
            "utm_source\tnull|3|6|1, newsletter|1|1|0",
            "utm_medium\tnull|3|6|1, email|1|1|0",
            "utm_campaign\tnull|3|6|1, launch|1|1|0",
            "country\tDE|1|3|1, US|1|3|0, FR|1|1|0",
            "region\tBE|1|3|1, CA|1|3|0, IDF|1|1|0",
            "city\tBerlin|1|3|1, San Francisco|1|3|0, Paris|1|1|0",
            "browser\tChrome|1|3|1, Firefox|1|3|0, Safari|1|1|0",
            "os\tLinux|1|3|1, macOS|1|3|0, iOS|1|1|0",
            "device_type\tdesktop|2|6|1, mobile|1|1|0",
            "screen\t1920x1080|1|3|1, 1440x900|1|3|0, 390x844|1|1|0",
            "language\ten-US|1|3|1, en-GB|1|3|0, fr-FR|1|1|0",
            "event_name\tsignup|1|0|1",
            "prop\tplan|3|2|1, $y|2|1|1, a/b~c|1|1|0, seats|1|0|1",
            "prop:plan\tpro|2|1|1, free|1|1|0",
            "prop:seats\t3|1|0|1",
            "prop:%24y\ttrue|2|1|1",
            "prop:a%2Fb~c\tx|1|1|0",
            "prop:nothing\t"})
    void topListsEveryDimension(String dimension, String expected) throws Exception {
        for (String dialect : List.of("duckdb", "postgres")) {
            assertEquals(expected == null ? List.of() : List.of(expected.split(", ")), top(dialect, dimension, ""), dialect + " " + dimension);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void topHonoursLimitFiltersAndBots(String dialect) throws Exception {
        assertEquals(List.of("/pricing|2|3|0"), top(dialect, "path", "&limit=1"));
        assertEquals(List.of("/|1|1|0", "/blog|1|1|0", "/pricing|1|1|0"), top(dialect, "path", "&filters=" + enc("country==US")));
        // Sessions from Google (s1: / then /pricing; s4: /blog) with all their page views.
        assertEquals(List.of("/|1|1|0", "/blog|1|1|0", "/pricing|1|1|0"), top(dialect, "path", "&filters=" + enc("referrer_host~google")));
        assertEquals(List.of("/|3|4|0", "/pricing|2|3|0", "/blog|2|2|0"), top(dialect, "path", "&include_bots=true"));
        // Under a path filter a session attribute is still the session's: s1's /pricing view and signup came from
        // Google (their own referrer is the site itself), the /pricing views of s3 (entered at /blog) and s5 directly.
        assertEquals(List.of("direct|2|2|0", "search|1|1|1"), top(dialect, "referrer_type", "&filters=" + enc("path==/pricing")));
        assertEquals(List.of("null|2|2|0", "google.com|1|1|1"), top(dialect, "referrer_host", "&filters=" + enc("path==/pricing")));
        assertEquals(List.of("null|2|2|0", "Google|1|1|1"), top(dialect, "source", "&filters=" + enc("path==/pricing")));
        assertEquals(List.of("/|1|1|0", "/blog|1|1|0", "/pricing|1|1|0"), top(dialect, "path", "&filters=" + enc("source==Google")));
        assertEquals(List.of("search|1|0|1"), top(dialect, "referrer_type", "&filters=" + enc("event_name==signup")));
        // Under a path or event filter, entry and exit pages are those of the matching visits among all their page
        // views in the range: the visits that saw /pricing (s1 entered at /, s3 at /blog, s5 at /pricing; all three
        // left from /pricing), and the visit that signed up (s1: in at /, out at /pricing; the signup is no page view).
        assertEquals(List.of("/|1|1", "/blog|1|1", "/pricing|1|1"), top(dialect, "entry_page", "&filters=" + enc("path==/pricing")));
        assertEquals(List.of("/pricing|2|3"), top(dialect, "exit_page", "&filters=" + enc("path==/pricing")));
        assertEquals(List.of("/|1|1"), top(dialect, "entry_page", "&filters=" + enc("event_name==signup")));
        assertEquals(List.of("/pricing|1|1"), top(dialect, "exit_page", "&filters=" + enc("event_name==signup")));
        assertEquals(List.of("/blog|1|1"), top(dialect, "entry_page", "&filters=" + enc("path==/pricing;country==US")));
        // A property's values under filters, with bots, and the pages of events without it.
        assertEquals(List.of("pro|1|0|1"), top(dialect, "prop:plan", "&filters=" + enc("event_name==signup")));
        assertEquals(List.of("pro|3|2|1", "free|1|1|0"), top(dialect, "prop:plan", "&include_bots=true"));
        assertEquals(List.of("/pricing|2|3|0", "/|2|2|0", "/blog|1|1|0"), top(dialect, "path", "&filters=" + enc("prop:plan!=pro")));
        assertEquals(List.of("/|2|2|0", "/pricing|1|2|0", "/blog|1|1|0"), top(dialect, "path", "&filters=" + enc("prop:plan==(none)")));
        assertEquals("prop:a/b~c", get(dialect, "/api/stats/top?" + RANGE + "&dimension=" + enc("prop:a/b~c"), 200).get("dimension").asText());
    }

    /** base|value rate, ... of a custom-event list: its conversion base and each row's conversion rate. */
    private String rates(String dialect, String dimension, String extra) throws Exception {
        JsonNode n = get(dialect, "/api/stats/top?" + RANGE + "&dimension=" + dimension + extra, 200);
        List<String> rows = new ArrayList<>();
        for (JsonNode r : n.get("rows")) {
            rows.add(r.get("value").asText() + " " + r.get("conversion_rate").asDouble());
        }
        return n.get("conversion_base").asLong() + "|" + String.join(", ", rows);
    }

    /**
     * A goal's conversion rate: its visitors over the visitors with any event in the range (v1, v2, v3; vb is a
     * bot, v4 after the range), under the filters except those that pick custom events.
     */
    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void customEventListsCarryConversionRates(String dialect) throws Exception {
        assertEquals("3|signup 33.33", rates(dialect, "event_name", ""));
        assertEquals("3|plan 100.0, $y 66.67, a/b~c 33.33, seats 33.33", rates(dialect, "prop", ""));
        assertEquals("3|pro 66.67, free 33.33", rates(dialect, "prop:plan", ""));
        // The goal's own filter picks the converted visitors, not the base.
        assertEquals("3|signup 33.33", rates(dialect, "event_name", "&filters=" + enc("event_name==signup")));
        assertEquals("3|signup 33.33", rates(dialect, "event_name", "&filters=" + enc("prop:plan==pro")));
        // Any other filter narrows the base: v1 is the only visitor from Germany, v3 from France.
        assertEquals("1|signup 100.0", rates(dialect, "event_name", "&filters=" + enc("country==DE")));
        assertEquals("1|", rates(dialect, "event_name", "&filters=" + enc("country==FR")));
        assertEquals("2|signup 50.0", rates(dialect, "event_name", "&filters=" + enc("path==/pricing")));
        assertEquals("4|signup 25.0", rates(dialect, "event_name", "&include_bots=true"));
        assertFalse(get(dialect, "/api/stats/top?" + RANGE + "&dimension=path", 200).has("conversion_base"));
        assertFalse(get(dialect, "/api/stats/top?" + RANGE + "&dimension=path", 200).get("rows").get(0).has("conversion_rate"));
    }

    /** start|visitors|pageviews|events|sessions of each point */
    private List<String> series(String dialect, String extra) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode p : get(dialect, "/api/stats/timeseries?" + RANGE + extra, 200).get("points")) {
            out.add(p.get("start").asText() + "|" + p.get("visitors").asLong() + "|" + p.get("pageviews").asLong() + "|"
                    + p.get("events").asLong() + "|" + p.get("sessions").asLong());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void timeseriesBucketsInTheRequestedTimeZone(String dialect) throws Exception {
        // 2026-11-11T07:30Z is still 10 November in Los Angeles, but 11 November in UTC.
        assertEquals(List.of("2026-11-10T00:00:00-08:00|2|3|1|2", "2026-11-11T00:00:00-08:00|3|4|0|3"),
                series(dialect, "&interval=day&tz=America/Los_Angeles"));
        assertEquals(List.of("2026-11-10T00:00:00Z|1|2|1|1", "2026-11-11T00:00:00Z|3|5|0|4", "2026-11-12T00:00:00Z|0|0|0|0"),
                series(dialect, "&interval=day"));
        // November began in daylight time (PDT, −07:00); the month bucket says so.
        assertEquals(List.of("2026-11-01T00:00:00-07:00|3|7|1|5"), series(dialect, "&interval=month&tz=America/Los_Angeles"));
        List<String> hours = series(dialect, "&interval=hour&tz=America/Los_Angeles");
        assertEquals(48, hours.size());
        assertEquals("2026-11-10T02:00:00-08:00|1|2|1|1", hours.get(2));
        assertEquals(List.of("2026-11-09T00:00:00-08:00|3|7|1|5"), series(dialect, "&interval=week&tz=America/Los_Angeles"));
        // A fixed offset, its '+' typed unencoded (a space once decoded) or encoded.
        List<String> kolkata = List.of("2026-11-10T00:00:00+05:30|1|2|1|1", "2026-11-11T00:00:00+05:30|2|4|0|3",
                "2026-11-12T00:00:00+05:30|1|1|0|1");
        assertEquals(kolkata, series(dialect, "&interval=day&tz=+05:30"));
        assertEquals(kolkata, series(dialect, "&interval=day&tz=%2B05:30"));
        // Under a custom property's filter: s1's signup, then s4's page view.
        assertEquals(List.of("2026-11-10T00:00:00Z|1|0|1|1", "2026-11-11T00:00:00Z|1|1|0|1", "2026-11-12T00:00:00Z|0|0|0|0"),
                series(dialect, "&interval=day&filters=" + enc("prop:plan==pro")));
        // Minutes count events (page views at 10:00:00 and 10:00:30, the custom event at 10:01:00 UTC); India is
        // 5:30 ahead, so a zone's half hours land on whole minutes too.
        List<Point> minutes = new ArrayList<>();
        for (JsonNode p : get(dialect, "/api/stats/timeseries?site=fix.test&from=2026-11-10T10:00:00Z&to=2026-11-10T10:03:00Z"
                + "&interval=minute&tz=Asia/Kolkata", 200).get("points")) {
            minutes.add(new Point(p.get("start").asText(), p.get("pageviews").asLong(), p.get("events").asLong()));
        }
        assertEquals(List.of(new Point("2026-11-10T15:30:00+05:30", 2, 0), new Point("2026-11-10T15:31:00+05:30", 0, 1),
                new Point("2026-11-10T15:32:00+05:30", 0, 0)), minutes);
    }

    private record Point(String start, long pageviews, long events) {
    }

    /** start|pageviews of each hour of other.test's daylight-saving days in Los Angeles. */
    private List<String> hours(String dialect, String from, String to) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode p : get(dialect, "/api/stats/timeseries?site=other.test&from=" + from + "&to=" + to
                + "&interval=hour&tz=America/Los_Angeles", 200).get("points")) {
            out.add(p.get("start").asText() + "|" + p.get("pageviews").asLong());
        }
        return out;
    }

    /** An hour is an hour of the world's clock: the one that repeats is two points, the one skipped none. */
    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void hoursAcrossDaylightSavingChanges(String dialect) throws Exception {
        assertEquals(List.of("2026-11-01T00:00:00-07:00|0", "2026-11-01T01:00:00-07:00|2", "2026-11-01T01:00:00-08:00|2",
                "2026-11-01T02:00:00-08:00|0"), hours(dialect, "2026-11-01T07:00:00Z", "2026-11-01T11:00:00Z"));
        assertEquals(List.of("2026-03-08T00:00:00-08:00|0", "2026-03-08T01:00:00-08:00|1", "2026-03-08T03:00:00-07:00|1",
                "2026-03-08T04:00:00-07:00|0"), hours(dialect, "2026-03-08T08:00:00Z", "2026-03-08T12:00:00Z"));
        // Minutes across the repeated hour: 120 of them, each once.
        JsonNode minutes = get(dialect, "/api/stats/timeseries?site=other.test&from=2026-11-01T08:00:00Z&to=2026-11-01T10:00:00Z"
                + "&interval=minute&tz=America/Los_Angeles", 200).get("points");
        java.util.Set<String> starts = new java.util.HashSet<>();
        long views = 0;
        for (JsonNode p : minutes) {
            starts.add(p.get("start").asText());
            views += p.get("pageviews").asLong();
        }
        assertEquals(120, minutes.size());
        assertEquals(120, starts.size());
        assertEquals(4, views);
        // The same days by day: 1 November lasts 25 hours, 8 March 23.
        assertEquals(List.of("2026-11-01T00:00:00-07:00|4"), dayPoints(dialect, "other.test", "2026-11-01T07:00:00Z", "2026-11-02T08:00:00Z",
                "America/Los_Angeles"));
    }

    private List<String> dayPoints(String dialect, String site, String from, String to, String tz) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode p : get(dialect, "/api/stats/timeseries?site=" + site + "&from=" + from + "&to=" + to + "&interval=day&tz="
                + enc(tz), 200).get("points")) {
            out.add(p.get("start").asText() + "|" + p.get("pageviews").asLong());
        }
        return out;
    }

    /** A zone given as an offset means that offset on both warehouses (PostgreSQL alone would read it the other way). */
    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void offsetZonesMeanWhatTheySay(String dialect) throws Exception {
        List<String> expected = List.of("2026-11-10T00:00:00-08:00|3", "2026-11-11T00:00:00-08:00|4");
        assertEquals(expected, dayPoints(dialect, "fix.test", "2026-11-10T08:00:00Z", "2026-11-12T08:00:00Z", "UTC-8"));
        assertEquals(expected, dayPoints(dialect, "fix.test", "2026-11-10T08:00:00Z", "2026-11-12T08:00:00Z", "-08:00"));
        assertEquals(List.of("2026-11-10T00:00:00+05:30|2", "2026-11-11T00:00:00+05:30|4", "2026-11-12T00:00:00+05:30|1"),
                dayPoints(dialect, "fix.test", "2026-11-10T08:00:00Z", "2026-11-12T08:00:00Z", "+05:30"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void realtimeCountsTheLastMinutes(String dialect) throws Exception {
        JsonNode r = get(dialect, "/api/stats/realtime?site=fix.test", 200);
        assertEquals(1, r.get("visitors").asLong());
        assertEquals("2026-11-11T19:34:00Z", r.get("series_start").asText());
        List<Long> perMinute = new ArrayList<>();
        r.get("pageviews_per_minute").forEach(n -> perMinute.add(n.asLong()));
        assertEquals(30, perMinute.size());
        assertEquals(1L, perMinute.get(26));
        assertEquals(1L, perMinute.stream().mapToLong(Long::longValue).sum());
        JsonNode withBots = get(dialect, "/api/stats/realtime?site=fix.test&include_bots=true", 200);
        assertEquals(2, withBots.get("visitors").asLong());
        assertEquals(1L, withBots.get("pageviews_per_minute").get(27).asLong());
        assertEquals(1, get(dialect, "/api/stats/realtime?site=fix.test&filters=" + enc("prop:plan==pro"), 200).get("visitors").asLong());
        assertEquals(0, get(dialect, "/api/stats/realtime?site=fix.test&filters=" + enc("prop:plan==free"), 200).get("visitors").asLong());
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void emptyRangesAreZeroNotErrors(String dialect) throws Exception {
        String empty = "site=fix.test&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z";
        JsonNode s = get(dialect, "/api/stats/summary?" + empty, 200);
        assertEquals("0|0|0|0|0.0|0.0|0.0", summary(s));
        assertEquals("0|0|0|0|0.0|0.0|0.0", summary(s.get("previous")));
        JsonNode points = get(dialect, "/api/stats/timeseries?" + empty + "&interval=hour", 200).get("points");
        assertEquals(24, points.size());
        points.forEach(p -> assertEquals(0, p.get("visitors").asLong()));
        assertEquals(0, get(dialect, "/api/stats/top?" + empty + "&dimension=path", 200).get("rows").size());
        assertEquals(0, get(dialect, "/api/stats/summary?site=nobody.test&from=2026-11-10T08:00:00Z&to=2026-11-12T08:00:00Z", 200)
                .get("pageviews").asLong());
    }

    /** An offset typed into a URL as is: its '+' arrives as a space, and still means the offset. */
    @Test
    void anUnencodedPlusInAnOffsetIsTheOffset() throws Exception {
        String plain = summary(get("duckdb", "/api/stats/summary?" + RANGE, 200));
        assertEquals(plain, summary(get("duckdb",
                "/api/stats/summary?site=fix.test&from=2026-11-10T09:00:00+01:00&to=2026-11-12T09:00:00+01:00", 200)));
        assertEquals(plain, summary(get("duckdb",
                "/api/stats/summary?site=fix.test&from=2026-11-10T09:00:00%2B01:00&to=2026-11-12T09:00:00%2B01:00", 200)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '\t', value = {
            "/api/stats/summary?from=2026-11-10T08:00:00Z&to=2026-11-12T08:00:00Z\tsite",
            "/api/stats/summary?site=Bad Site&from=2026-11-10T08:00:00Z&to=2026-11-12T08:00:00Z\tsite",
            "/api/stats/summary?site=fix.test&from=yesterday&to=2026-11-12T08:00:00Z\tfrom",
            "/api/stats/summary?site=fix.test&from=2026-11-10T08:00:00Z\tto",
            "/api/stats/summary?site=fix.test&from=2026-11-12T08:00:00Z&to=2026-11-10T08:00:00Z\tto",
            // Times no warehouse holds (the previous period of a range from year 1 starts before PostgreSQL's
            // earliest).
            "/api/stats/summary?site=fix.test&from=-999999999-01-01T00:00:00Z&to=2026-11-12T08:00:00Z\tfrom",
            "/api/stats/summary?site=fix.test&from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z\tfrom",
            "/api/stats/summary?site=fix.test&from=2026-11-10T08:00:00Z&to=%2B999999999-12-31T23:59:59Z\tto",
            // No parameter holds a NUL character (PostgreSQL refuses it in any text).
            "/api/stats/summary?" + RANGE + "&filters=path%3D%3D%00\tfilters",
            "/api/stats/top?" + RANGE + "&dimension=prop:a%00b\tdimension",
            "/api/stats/summary?" + RANGE + "&include_bots=maybe\tinclude_bots",
            "/api/stats/summary?" + RANGE + "&filter=path==/\tfilter",
            "/api/stats/summary?" + RANGE + "&filters=path\tfilters",
            "/api/stats/summary?" + RANGE + "&filters=ip==1.2.3.4\tfilters",
            "/api/stats/summary?" + RANGE + "&filters=path==\tfilters",
            "/api/stats/summary?" + RANGE + "&filters=browser%3D%3DChrome&filters=path%3D%3D/pricing\tfilters",
            "/api/stats/top?" + RANGE + "&site=other.test&dimension=path\tsite",
            "/api/stats/timeseries?" + RANGE + "&interval=year\tinterval",
            "/api/stats/timeseries?" + RANGE + "&tz=Mars/Olympus\ttz",
            "/api/stats/timeseries?site=fix.test&from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z&interval=minute\tinterval",
            "/api/stats/top?" + RANGE + "\tdimension",
            "/api/stats/top?" + RANGE + "&dimension=ip\tdimension",
            "/api/stats/top?" + RANGE + "&dimension=path&limit=0\tlimit",
            "/api/stats/top?" + RANGE + "&dimension=prop:\tdimension",
            "/api/stats/top?" + RANGE + "&dimension=prop:" + "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk" + "\tdimension",
            "/api/stats/summary?" + RANGE + "&filters=prop==plan\tfilters",
            "/api/stats/summary?" + RANGE + "&filters=prop:%3D%3Dpro\tfilters",
            "/api/stats/summary?" + RANGE + "&filters=prop:plan\tfilters",
            "/api/stats/top?" + RANGE + "&dimension=path&limit=ten\tlimit",
            "/api/stats/realtime?site=fix.test&interval=day\tinterval",
            "/api/stats/realtime?site=fix.test&from=2026-11-10T08:00:00Z\tfrom",
            "/api/sites?site=fix.test\tsite"})
    void badParametersAre400NamingTheParameter(String query, String parameter) throws Exception {
        JsonNode error = get("duckdb", query.replace(" ", "%20"), 400);
        assertEquals("bad_parameter", error.get("error").asText());
        assertTrue(error.get("detail").asText().startsWith(parameter + ":"), error.toString());
    }
}
