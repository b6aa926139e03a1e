package io.footfall.app.standalone;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.testing.Http;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.FootfallConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The walking skeleton end to end: HTTP in, rows out, exactly the events sent, across a restart. */
class StandaloneIT {

    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/120.0.0.0 Safari/537.36";

    @TempDir
    Path dataDir;

    private FootfallConfig config() {
        return TestBroker.baseConfig(dataDir, Map.of("collector.port", "0", "query.port", "0", "kafka.partitions", "3"));
    }

    @Test
    void tenThousandEventsArriveExactlyOnceAndSurviveARestart() throws Exception {
        Set<String> sent = new HashSet<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Standalone standalone = new Standalone(config(), new PrintStream(log, true, StandardCharsets.UTF_8)).start()) {
            String status = log.toString(StandardCharsets.UTF_8);
            for (String component : new String[]{"broker ready", "collector ready", "enricher ready", "loader ready",
                    "query server ready", "standalone ready"}) {
                assertTrue(status.contains(component), "missing status line '" + component + "' in:\n" + status);
            }
            long firstPost = System.nanoTime();
            sendBatches(standalone.collectorPort(), 100, 100, sent);
            awaitRows(standalone, sent);
            System.out.printf("10,000 events: first POST to last row visible in %d ms%n",
                    (System.nanoTime() - firstPost) / 1_000_000);

            HttpResponse<String> summary = Http.get(standalone.queryPort(),
                    "/api/stats/summary?site=skeleton.test&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z");
            assertEquals(200, summary.statusCode());
            assertTrue(summary.body().contains("\"pageviews\":10000"), summary.body());
        }

        try (Standalone restarted = new Standalone(config(), new PrintStream(new ByteArrayOutputStream())).start()) {
            assertEquals(sent, storedIds(restarted), "all earlier rows are still there after a restart");
            sendBatches(restarted.collectorPort(), 10, 100, sent);
            assertEquals(11_000, sent.size());
            awaitRows(restarted, sent);
        }
    }

    private static void sendBatches(int port, int requests, int perRequest, Set<String> sent) {
        for (int r = 0; r < requests; r++) {
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < perRequest; i++) {
                String id = UUID.randomUUID().toString();
                sent.add(id);
                body.append(i == 0 ? "" : ",").append("{\"site\":\"skeleton.test\",\"type\":\"pageview\",\"event_id\":\"")
                        .append(id).append("\",\"url\":\"https://skeleton.test/page/").append(i % 7).append("\"}");
            }
            body.append(']');
            // A browser's user agent: the enricher marks Java's HttpClient as a bot, and stats exclude bots.
            HttpResponse<String> response = Http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + "/v1/events"))
                    .header("Content-Type", "application/json").header("User-Agent", BROWSER)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.toString()))
                    .timeout(Duration.ofSeconds(30)).build());
            assertEquals(202, response.statusCode(), response.body());
            assertEquals("{\"accepted\":" + perRequest + ",\"rejected\":[]}", response.body());
        }
    }

    private static void awaitRows(Standalone standalone, Set<String> expected) throws SQLException {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> count(standalone) >= expected.size());
        // Give a straggling duplicate the chance to show before comparing exactly.
        await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertEquals(expected, storedIds(standalone));
    }

    private static long count(Standalone standalone) throws SQLException {
        try (Connection c = standalone.warehouse().readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM events")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Set<String> storedIds(Standalone standalone) throws SQLException {
        Set<String> ids = new HashSet<>();
        long rows = 0;
        try (Connection c = standalone.warehouse().readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT CAST(event_id AS VARCHAR) FROM events")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
                rows++;
            }
        }
        assertEquals(ids.size(), rows, "no event_id is stored twice");
        return ids;
    }
}
