package io.footfall.app.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.standalone.Roles;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.event.RawEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a busy collector: every request on a connection it had accepted is answered — 202 only after
 * the ack, or 503 shutting_down — and the connection then closes; nothing is cut off, nothing acked is lost.
 */
class GracefulShutdownIT {

    private static final int CONNECTIONS = 32;

    @TempDir
    Path dir;

    @Test
    void closeAnswersEveryAcceptedRequestAndEvery202IsInTheTopic() throws Exception {
        try (TestBroker broker = TestBroker.start(dir, 2)) {
            Roles.Collector collector = Roles.collector(broker.config(dir, Map.of("collector.port", "0",
                    "collector.host", "127.0.0.1")), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            List<RawHttp> connections = new ArrayList<>();
            List<Set<String>> idsPerConnection = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                RawHttp raw = new RawHttp(collector.port());
                // A first answer proves the server accepted this connection (not merely the kernel backlog).
                assertEquals(200, RawHttp.status(raw.write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").readResponse()));
                connections.add(raw);
            }
            for (RawHttp raw : connections) {
                Set<String> ids = new HashSet<>();
                StringBuilder body = new StringBuilder("[");
                for (int j = 0; j < 50; j++) {
                    String id = UUID.randomUUID().toString();
                    ids.add(id);
                    body.append(j == 0 ? "" : ",").append(CollectorIT.event(id));
                }
                byte[] bytes = body.append(']').toString().getBytes(StandardCharsets.UTF_8);
                raw.write("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + bytes.length + "\r\n\r\n" + new String(bytes, StandardCharsets.ISO_8859_1));
                idsPerConnection.add(ids);
            }
            collector.close();

            Set<String> acknowledged = new HashSet<>();
            int accepted = 0;
            for (int c = 0; c < CONNECTIONS; c++) {
                String answer = connections.get(c).readUntilClosed();
                int status = RawHttp.status(answer);
                assertTrue(status == 202 || status == 503, answer);
                assertTrue(answer.contains("connection: close") || answer.contains("Connection: close"), answer);
                if (status == 202) {
                    accepted++;
                    acknowledged.addAll(idsPerConnection.get(c));
                } else {
                    assertTrue(answer.contains("\"error\":\"shutting_down\""), answer);
                }
                connections.get(c).close();
            }
            System.out.printf("graceful shutdown: %d of %d requests acknowledged, the rest 503%n", accepted, CONNECTIONS);
            List<RawEvent> raw = RawTopic.raw(broker.bootstrapServers(),
                    got -> got.stream().map(RawEvent::eventId).collect(Collectors.toSet()).containsAll(acknowledged),
                    Duration.ofSeconds(30));
            Set<String> stored = raw.stream().map(RawEvent::eventId).collect(Collectors.toSet());
            assertTrue(stored.containsAll(acknowledged), "every event answered 202 is in footfall.raw");
        }
    }
}
