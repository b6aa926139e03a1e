package io.footfall.app.standalone;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.app.testing.Http;
import io.footfall.app.testing.TestBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Standalone with the shared-deployment warehouse: the local PostgreSQL, a fresh schema for this class. */
class StandalonePostgresIT {

    @TempDir
    Path dataDir;

    @Test
    void eventsLandInPostgresqlAndTheSummaryReadsThem() throws Exception {
        String schema = "ff_standalone_" + UUID.randomUUID().toString().substring(0, 8);
        var config = TestBroker.baseConfig(dataDir, Map.of("collector.port", "0", "query.port", "0",
                "kafka.partitions", "2", "loader.warehouse", "postgres",
                "loader.jdbcUrl", "jdbc:postgresql://127.0.0.1:5432/test", "loader.user", "postgres",
                "loader.schema", schema));
        try (Standalone standalone = new Standalone(config, new PrintStream(new ByteArrayOutputStream())).start()) {
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < 300; i++) {
                body.append(i == 0 ? "" : ",").append("{\"site\":\"pg.test\",\"type\":\"")
                        .append(i % 3 == 0 ? "event\",\"name\":\"signup" : "pageview").append("\"}");
            }
            // A browser's user agent: the Java client's own is (rightly) classified as a bot and left out of stats.
            HttpResponse<String> sent = Http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + standalone.collectorPort() + "/v1/events"))
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.append(']').toString())).build());
            assertEquals(202, sent.statusCode(), sent.body());
            await().atMost(Duration.ofSeconds(60)).until(() -> rows(standalone) == 300);
            HttpResponse<String> summary = Http.get(standalone.queryPort(),
                    "/api/stats/summary?site=pg.test&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z");
            assertEquals(200, summary.statusCode(), summary.body());
            assertEquals(true, summary.body().contains("\"pageviews\":200"), summary.body());
            assertEquals(true, summary.body().contains("\"events\":100"), summary.body());
        } finally {
            try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
                 Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private static long rows(Standalone standalone) throws Exception {
        try (Connection c = standalone.warehouse().readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + standalone.warehouse().eventsTable())) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
