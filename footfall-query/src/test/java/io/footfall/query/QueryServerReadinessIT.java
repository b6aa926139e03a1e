package io.footfall.query;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.core.config.QueryConfig;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.query.testing.TestWarehouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readiness probe of the query server (and of the loader, which serves it) answers while the warehouse does not:
 * a PostgreSQL that hangs makes it a 503, not a probe that times out.
 */
class QueryServerReadinessIT {

    @TempDir
    Path dir;

    /** A warehouse whose connections, once {@link #hang} is set, wait for {@link #answer} (a PostgreSQL that hangs). */
    private static final class HangingWarehouse implements Warehouse {
        final TestWarehouse real;
        final CountDownLatch answer = new CountDownLatch(1);
        volatile boolean hang;

        HangingWarehouse(TestWarehouse real) {
            this.real = real;
        }

        @Override
        public String dialect() {
            return real.dialect();
        }

        @Override
        public Connection readConnection() throws SQLException {
            if (hang) {
                try {
                    answer.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return real.readConnection();
        }

        @Override
        public String eventsTable() {
            return real.eventsTable();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aWarehouseThatDoesNotAnswerIsA503NotAHungProbe() throws Exception {
        try (TestWarehouse real = TestWarehouse.of("duckdb", dir, "ready")) {
            HangingWarehouse warehouse = new HangingWarehouse(real);
            QueryServer server = new QueryServer(new QueryConfig("127.0.0.1", 0), warehouse, () -> "");
            try {
                int port = server.start();
                HttpClient http = HttpClient.newHttpClient();
                HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                        .timeout(Duration.ofSeconds(10)).build();
                assertEquals(200, http.send(probe, HttpResponse.BodyHandlers.ofString()).statusCode());
                Thread.sleep(1_100); // the answer above is not reused
                warehouse.hang = true;
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> down = http.send(probe, HttpResponse.BodyHandlers.ofString());
                    assertEquals(503, down.statusCode());
                    assertEquals("{\"status\":\"warehouse_unavailable\"}", down.body());
                }
                warehouse.hang = false;
                warehouse.answer.countDown();
                // Ready again once the warehouse answers.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> http.send(probe, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            } finally {
                warehouse.answer.countDown();
                server.close();
            }
        }
    }
}
