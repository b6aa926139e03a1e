package io.footfall.app.enricher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.standalone.EnricherAdmin;
import io.footfall.app.testing.Http;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.FootfallConfig;
import io.footfall.enricher.EnricherApp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP port of a lone enricher: live from the start, ready only while Streams runs, Prometheus metrics. */
class EnricherAdminIT {

    @TempDir
    Path dir;

    @Test
    void healthFollowsTheStreamsStateAndMetricsShowTheStreamsClients() {
        try (TestBroker broker = TestBroker.start(dir, 2)) {
            FootfallConfig config = broker.config(dir, Map.of("enricher.adminPort", "0"));
            EnricherApp app = new EnricherApp(config.kafka(), config.enricher(), dir.resolve("state"));
            try (EnricherAdmin admin = EnricherAdmin.start("127.0.0.1", config.enricher().adminPort(), app, config.kafka())) {
                int port = admin.port();
                assertEquals(200, Http.get(port, "/health/live").statusCode());
                HttpResponse<String> starting = Http.get(port, "/health/ready");
                assertEquals(503, starting.statusCode(), "not ready before Streams runs");
                assertEquals("{\"status\":\"not_ready\",\"state\":\"CREATED\"}", starting.body());

                app.start(Duration.ofSeconds(60));
                HttpResponse<String> ready = Http.get(port, "/health/ready");
                assertEquals(200, ready.statusCode());
                assertEquals("{\"status\":\"ready\"}", ready.body());
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    String metrics = Http.get(port, "/metrics").body();
                    assertTrue(metrics.contains("footfall_enricher_running 1.0"), metrics);
                    assertTrue(metrics.contains("footfall_enricher_lag_records 0.0"), "a caught-up enricher, no NaN: " + metrics);
                    // ... summed from the stream thread's own lag series, one per partition it fetched (a Kafka that
                    // renamed them would leave the gauge at 0 for ever).
                    assertEquals(2, app.streams().metrics().keySet().stream().filter(EnricherAdmin::isInputLag).count(),
                            app.streams().metrics().keySet().stream().filter(n -> n.name().equals("records-lag")).toList().toString());
                    assertTrue(metrics.contains("kafka_consumer_fetch_manager_records_lag_max"), "consumer lag of the stream thread");
                    assertTrue(metrics.contains("jvm_memory_used_bytes"));
                });

                HttpResponse<String> post = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build());
                assertEquals(405, post.statusCode());
                assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
                assertEquals(404, Http.get(port, "/nothing").statusCode());

                IllegalStateException taken = assertThrows(IllegalStateException.class, () -> EnricherAdmin.start("127.0.0.1", port, app, config.kafka()));
                assertTrue(taken.getMessage().startsWith("enricher.adminPort 127.0.0.1:" + port + " cannot be bound"), taken.getMessage());

                app.close();
                HttpResponse<String> stopped = Http.get(port, "/health/ready");
                assertEquals(503, stopped.statusCode(), "a stopped enricher is not ready");
                assertTrue(stopped.body().contains("NOT_RUNNING"), stopped.body());
                assertEquals(200, Http.get(port, "/health/live").statusCode(), "the process itself still answers");
            } finally {
                app.close();
            }
        }
    }

    /**
     * A lone enricher starts paused until the user-agent parser is built (5–15 s, a minute on a loaded machine), and
     * a paused Kafka Streams stays REBALANCING all that time: readiness names the parser, so that a supervisor or an
     * operator does not go looking for a stuck group.
     */
    @Test
    void anEnricherWaitingForTheUserAgentParserSaysSo() {
        try (TestBroker broker = TestBroker.start(dir, 2)) {
            FootfallConfig config = broker.config(dir, Map.of("enricher.adminPort", "0"));
            EnricherApp app = new EnricherApp(config.kafka(), config.enricher(), dir.resolve("state"));
            try (EnricherAdmin admin = EnricherAdmin.start("127.0.0.1", config.enricher().adminPort(), app, config.kafka())) {
                int port = admin.port();
                // What EnricherApp.start does while the parser is not built yet (in this JVM another test may have built it).
                app.streams().pause();
                app.streams().start();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    HttpResponse<String> waiting = Http.get(port, "/health/ready");
                    assertEquals(503, waiting.statusCode());
                    assertEquals("{\"status\":\"not_ready\",\"state\":\"WAITING_FOR_PARSER\"}", waiting.body());
                });
                app.streams().resume();
                await().atMost(Duration.ofSeconds(60)).until(() -> Http.get(port, "/health/ready").statusCode() == 200);
            } finally {
                app.close();
            }
        }
    }

    /**
     * Kafka Streams stays RUNNING while the brokers are away (its threads retry their commits): readiness and the
     * running gauge still say the enricher is not processing, as the collector's readiness does.
     */
    @Test
    void aBrokerOutageMakesTheEnricherNotReady() {
        TestBroker broker = TestBroker.start(dir, 2);
        FootfallConfig config = broker.config(dir, Map.of("enricher.adminPort", "0"));
        EnricherApp app = new EnricherApp(config.kafka(), config.enricher(), dir.resolve("state"));
        boolean brokerUp = true;
        try (EnricherAdmin admin = EnricherAdmin.start("127.0.0.1", config.enricher().adminPort(), app, config.kafka())) {
            int port = admin.port();
            app.start(Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).until(() -> Http.get(port, "/health/ready").statusCode() == 200);
            broker.close();
            brokerUp = false;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> down = Http.get(port, "/health/ready");
                assertEquals(503, down.statusCode());
                assertEquals("{\"status\":\"not_ready\",\"state\":\"KAFKA_UNREACHABLE\"}", down.body());
            });
            assertEquals(KafkaStreams.State.RUNNING, app.state(), "Streams itself still says RUNNING");
            assertTrue(Http.get(port, "/metrics").body().contains("footfall_enricher_running 0.0"));
        } finally {
            app.close();
            if (brokerUp) {
                broker.close();
            }
        }
    }

}
