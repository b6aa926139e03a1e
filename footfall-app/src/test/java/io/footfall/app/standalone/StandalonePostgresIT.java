package io.footfall.app.standalone;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            // footfall does not copy a PostgreSQL warehouse: it says which tool does, and for which schema.
            HttpResponse<String> backup = Http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + standalone.queryPort() + "/api/backup"))
                    .header("Authorization", "Bearer " + java.nio.file.Files.readString(dataDir.resolve("admin-api-token")).trim())
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(501, backup.statusCode(), backup.body());
            assertTrue(backup.body().contains("pg_dump --schema=" + schema), backup.body());
            assertFalse(java.nio.file.Files.exists(dataDir.resolve("backups")), "no empty backup directory is left");

            // A query server of its own on the same warehouse and cluster, as a shared deployment runs them.
            try (ServerProcess server = ServerProcess.start(dataDir.resolve("server"), standalone.bootstrapServers(), schema)) {
                HttpResponse<String> fromServer = Http.get(server.port(),
                        "/api/stats/summary?site=pg.test&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z");
                assertEquals(200, fromServer.statusCode(), fromServer.body());
                assertEquals(summary.body(), fromServer.body());
                assertEquals(200, Http.get(server.port(), "/api/pipeline").statusCode());
                HttpResponse<String> withParameter = Http.get(server.port(), "/api/pipeline?site=pg.test");
                assertEquals(400, withParameter.statusCode(), withParameter.body());
                assertTrue(withParameter.body().contains("site: unknown parameter; /api/pipeline takes none"),
                        withParameter.body());
                // No collector or loader in the server's process: their rates come from Kafka and the warehouse.
                assertEquals(202, Http.send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + standalone.collectorPort() + "/v1/events"))
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.toString())).build()).statusCode());
                await().atMost(Duration.ofSeconds(60)).until(() -> rows(standalone) == 600);
                // A look is cached for a second: the next one after the events measures their rates.
                String[] pipeline = new String[1];
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    pipeline[0] = Http.get(server.port(), "/api/pipeline").body();
                    assertTrue(rate(pipeline[0], "collector") > 0 && rate(pipeline[0], "loader") > 0, pipeline[0]);
                });
                assertTrue(pipeline[0].matches(".*\\{\"name\":\"loader\",\"events_per_s\":[0-9.]+,\"lag\":[0-9]+}.*"),
                        pipeline[0]);
                // Caught up, the lag reads 0: the enricher's transaction markers take offsets but are not records.
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    String now = Http.get(server.port(), "/api/pipeline").body();
                    assertTrue(now.matches(".*\\{\"name\":\"loader\",\"events_per_s\":[0-9.]+,\"lag\":0}.*"), now);
                });
            }
        } finally {
            try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
                 Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    /** {@code footfall server} in a child JVM, as an operator starts it; closing it stops it with SIGTERM. */
    private record ServerProcess(Process process, int port) implements AutoCloseable {

        static ServerProcess start(Path dir, String bootstrap, String schema) throws Exception {
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.footfall.app.Main", "server",
                    "--set", "kafka.bootstrapServers=" + bootstrap, "--set", "query.port=0",
                    "--set", "dataDir=" + dir, "--set", "loader.warehouse=postgres",
                    "--set", "loader.jdbcUrl=jdbc:postgresql://127.0.0.1:5432/test", "--set", "loader.user=postgres",
                    "--set", "loader.schema=" + schema)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            java.util.concurrent.CompletableFuture<Integer> port = new java.util.concurrent.CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        var ready = java.util.regex.Pattern.compile("query server ready at http://127\\.0\\.0\\.1:(\\d+)")
                                .matcher(line);
                        if (ready.find()) {
                            port.complete(Integer.parseInt(ready.group(1)));
                        }
                    }
                } catch (java.io.IOException e) {
                    // the process went away: the port never comes
                }
                port.completeExceptionally(new IllegalStateException("footfall server exited before it was ready"));
            }, "server-stdout");
            reader.setDaemon(true);
            reader.start();
            try {
                return new ServerProcess(process, port.get(60, java.util.concurrent.TimeUnit.SECONDS));
            } catch (Exception e) {
                process.destroyForcibly();
                throw e;
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** A stage's events/s in an {@code /api/pipeline} answer; -1 when it is not a number. */
    private static double rate(String pipeline, String stage) {
        var m = java.util.regex.Pattern.compile("\\{\"name\":\"" + stage + "\",\"events_per_s\":([0-9.]+)[,}]")
                .matcher(pipeline);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static long rows(Standalone standalone) throws Exception {
        try (Connection c = standalone.warehouse().readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + standalone.warehouse().eventsTable())) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
