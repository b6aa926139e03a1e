package io.footfall.app.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.standalone.Roles;
import io.footfall.app.testing.Http;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.RawEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The collector over real HTTP with a real broker: every status code of the contract, and what lands on the topics. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CollectorIT {

    Path dir;
    TestBroker broker;
    Roles.Collector collector;
    Roles.Collector limited;
    int port;

    @BeforeAll
    void start(@TempDir Path tempDir) {
        dir = tempDir;
        broker = TestBroker.start(dir, 2);
        collector = Roles.collector(broker.config(dir, Map.of("collector.port", "0", "collector.host", "127.0.0.1",
                "collector.readTimeout", "1s", "collector.allowedSites", "it.test, other.test")),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        port = collector.port();
        limited = Roles.collector(broker.config(dir, Map.of("collector.port", "0", "collector.host", "127.0.0.1",
                "collector.rateLimitPerSecond", "1", "collector.rateLimitBurst", "2")),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    @AfterAll
    void stop() {
        if (limited != null) {
            limited.close();
        }
        if (collector != null) {
            collector.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    static String event(String id) {
        return "{\"site\":\"it.test\",\"type\":\"pageview\",\"event_id\":\"" + id + "\",\"url\":\"https://it.test/p\"}";
    }

    static HttpResponse<String> post(int port, String type, String encoding, byte[] body, String forwardedFor) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Content-Type", type).header("User-Agent", "collector-it/1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(30));
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return Http.send(b.build());
    }

    static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /**
     * The producer forgets a topic's metadata after {@code metadata.max.idle.ms} without a send (5 min by
     * default; 5 s here, the least Kafka allows): the first request after a quiet spell must still get its 202,
     * and a bad one its 400 (its record goes to footfall.bad). Negative control, run by hand: without the
     * sink's probe keeping the metadata, the second and third POST get 503.
     */
    @Test
    void theFirstRequestsAfterAQuietSpellAreAcknowledged() throws InterruptedException {
        Roles.Collector quiet = Roles.collector(broker.config(dir, Map.of("collector.port", "0", "collector.host", "127.0.0.1",
                        "kafka.client.metadata.max.idle.ms", "5000", "kafka.client.metadata.max.age.ms", "3000")),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        try {
            assertEquals(202, post(quiet.port(), "application/json", null,
                    event(UUID.randomUUID().toString()).getBytes(StandardCharsets.UTF_8), null).statusCode());
            for (int i = 0; i < 2; i++) {
                Thread.sleep(12_000);
                HttpResponse<String> after = post(quiet.port(), "application/json", null,
                        event(UUID.randomUUID().toString()).getBytes(StandardCharsets.UTF_8), null);
                assertEquals(202, after.statusCode(), "after 12 s without a request: " + after.body());
            }
            Thread.sleep(12_000);
            HttpResponse<String> bad = Http.get(quiet.port(), "/v1/p.gif?url=https%3A%2F%2Fit.test%2F");
            assertEquals(400, bad.statusCode(), "a pixel without site after 12 s quiet: " + bad.body());
        } finally {
            quiet.close();
        }
    }

    @Test
    void everyInputFormLandsInTheRawTopicWithReceiptFacts() {
        String a = UUID.randomUUID().toString(), b = UUID.randomUUID().toString(), c = UUID.randomUUID().toString();
        String d = UUID.randomUUID().toString(), e = UUID.randomUUID().toString(), f = UUID.randomUUID().toString();
        assertEquals(202, post(port, "application/json", null, event(a).getBytes(StandardCharsets.UTF_8), "9.9.9.9").statusCode());
        assertEquals(202, post(port, "application/json", null, ("[" + event(b) + "]").getBytes(StandardCharsets.UTF_8), null).statusCode());
        HttpResponse<String> ndjson = post(port, "application/x-ndjson", "gzip", gzip(event(c) + "\n{broken\n" + event(d)), null);
        assertEquals(202, ndjson.statusCode());
        assertTrue(ndjson.body().startsWith("{\"accepted\":2,\"rejected\":[{\"index\":1,\"error\":\"invalid_json\""), ndjson.body());
        assertEquals(202, post(port, "text/plain;charset=UTF-8", null, ("[" + event(e) + "]").getBytes(StandardCharsets.UTF_8), null).statusCode());
        HttpResponse<String> pixel = Http.get(port, "/v1/p.gif?site=it.test&eid=" + f + "&url=https%3A%2F%2Fit.test%2Fnojs&ref=https%3A%2F%2Fref.test%2F");
        assertEquals(200, pixel.statusCode());
        assertEquals("image/gif", pixel.headers().firstValue("Content-Type").orElse(""));

        Set<String> ids = Set.of(a, b, c, d, e, f);
        List<RawEvent> raw = RawTopic.raw(broker.bootstrapServers(),
                got -> got.stream().map(RawEvent::eventId).collect(Collectors.toSet()).containsAll(ids), Duration.ofSeconds(20));
        Map<String, RawEvent> byId = raw.stream().filter(r -> ids.contains(r.eventId()))
                .collect(Collectors.toMap(RawEvent::eventId, r -> r, (x, y) -> x));
        assertEquals(ids, byId.keySet());
        assertEquals("127.0.0.0", byId.get(a).clientIp(),
                "the peer's network (/24): X-Forwarded-For from an untrusted peer is ignored, the full address never stored");
        assertEquals("collector-it/1.0", byId.get(a).userAgent());
        assertEquals("https://ref.test/", byId.get(f).referrer());
        assertTrue(byId.get(a).receivedAt() > 0);

        List<BadEvent> bad = RawTopic.bad(broker.bootstrapServers(),
                got -> got.stream().anyMatch(x -> "{broken".equals(x.payload())), Duration.ofSeconds(20));
        BadEvent broken = bad.stream().filter(x -> "{broken".equals(x.payload())).findFirst().orElseThrow();
        assertEquals("collect", broken.stage());
        assertEquals("invalid_json", broken.reason());
    }

    @Test
    void everyErrorStatusIsAJsonAnswer() {
        assertStatus(400, post(port, "application/json", null, "{\"site\":".getBytes(StandardCharsets.UTF_8), null));
        assertStatus(400, post(port, "application/json", "gzip", "not gzip".getBytes(StandardCharsets.UTF_8), null));
        assertStatus(403, post(port, "application/json", null, event(UUID.randomUUID().toString())
                .replace("it.test\"", "stranger.test\"").getBytes(StandardCharsets.UTF_8), null));
        assertStatus(404, Http.get(port, "/v1/nothing"));
        HttpResponse<String> wrongMethod = Http.get(port, "/v1/events");
        assertStatus(405, wrongMethod);
        assertEquals("POST, OPTIONS", wrongMethod.headers().firstValue("Allow").orElse(""));
        assertStatus(413, post(port, "application/json", "gzip", gzip("[" + " ".repeat(2_000_000) + "]"), null));
        assertStatus(413, post(port, "application/json", null, ("[" + "x".repeat(1_100_000) + "]").getBytes(StandardCharsets.UTF_8), null));
        assertStatus(415, post(port, "application/xml", null, "<e/>".getBytes(StandardCharsets.UTF_8), null));
        assertStatus(414, Http.get(port, "/v1/p.gif?site=" + "a".repeat(9000)));
    }

    @Test
    void rawSocketAbuseIsAnsweredAndClosed() {
        try (RawHttp raw = new RawHttp(port)) {
            String answer = raw.write("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n").readUntilClosed();
            assertEquals(413, RawHttp.status(answer), answer);
        }
        try (RawHttp raw = new RawHttp(port)) {
            String answer = raw.write("GET /health/live HTTP/1.1\r\n" + "X-Flood: y\r\n".repeat(3000) + "\r\n").readUntilClosed();
            assertEquals(431, RawHttp.status(answer), answer);
            assertTrue(answer.contains("{\"error\":\"headers_too_large\""), answer);
        }
        try (RawHttp raw = new RawHttp(port)) {
            // slowloris: headers never finish; the 1 s read timeout answers 408 and closes
            String answer = raw.write("POST /v1/events HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n").readUntilClosed();
            assertEquals(408, RawHttp.status(answer), answer);
        }
        try (RawHttp raw = new RawHttp(port)) {
            // a body that never arrives in full
            String answer = raw.write("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 500\r\n\r\n{\"site\":").readUntilClosed();
            assertEquals(408, RawHttp.status(answer), answer);
        }
    }

    @Test
    void preflightTrackerAndHealth() {
        HttpResponse<String> preflight = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://it.test")
                .header("Access-Control-Request-Method", "POST").build());
        assertEquals(204, preflight.statusCode());
        assertEquals("*", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));

        HttpResponse<String> script = Http.get(port, "/footfall.js");
        assertEquals(200, script.statusCode());
        String etag = script.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/footfall.js"))
                .header("If-None-Match", etag).build());
        assertEquals(304, again.statusCode());

        assertEquals(200, Http.get(port, "/health/live").statusCode());
        assertEquals(200, Http.get(port, "/health/ready").statusCode());
        HttpResponse<String> metrics = Http.get(port, "/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("footfall_collector_requests_total"), "requests by route and status");
        assertTrue(metrics.body().contains("footfall_collector_produce_latency_seconds_bucket"), "produce latency histogram");
        assertTrue(metrics.body().contains("footfall_collector_inflight_bytes"));
    }

    @Test
    void overTheRateIs429WithRetryAfter() {
        // The exact token arithmetic is unit-tested on a fake clock; over real time (1 token/s refill on a
        // busy machine) this checks the wiring: the burst passes, then 429 with Retry-After, counted.
        int limitedPort = limited.port();
        int accepted = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 50; i++) {
            last = post(limitedPort, "application/json", null, event(UUID.randomUUID().toString()).getBytes(StandardCharsets.UTF_8), null);
            if (last.statusCode() != 202) {
                break;
            }
            accepted++;
        }
        assertTrue(accepted >= 2, "the burst of 2 passes");
        assertStatus(429, last);
        assertEquals("1", last.headers().firstValue("Retry-After").orElse(""));
        assertTrue(Http.get(limitedPort, "/metrics").body().contains("footfall_collector_rate_limited_total 1.0"));
    }

    static void assertStatus(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        assertTrue(response.body().startsWith("{\"error\":\""), response.body());
        assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""));
    }
}
