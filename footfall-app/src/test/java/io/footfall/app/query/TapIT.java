package io.footfall.app.query;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.config.QueryConfig;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.EventType;
import io.footfall.core.event.RawEvent;
import io.footfall.core.json.BadEventJson;
import io.footfall.core.json.RawEventJson;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.footfall.query.QueryServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The live tap over SSE against a real broker: live only, filtered, never an IP, and no trace in the pipeline. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TapIT {

    private static final String IP = "203.0.113.77";

    @TempDir
    static Path dir;

    private TestBroker broker;
    private DuckDbWarehouse warehouse;
    private QueryServer server;
    private int port;
    private KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    void start() {
        broker = TestBroker.start(dir, 2);
        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"));
        server = new QueryServer(new QueryConfig("127.0.0.1", 0, Duration.ofSeconds(5), 100, "", 2), warehouse, () -> "")
                .withTap(broker.kafka());
        port = server.start();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Each test starts with every slot free (a closed client is noticed at the next heartbeat). */
    @BeforeEach
    void slotsFree() {
        await().atMost(Duration.ofSeconds(20)).until(() -> server.tapStreams() == 0);
    }

    @AfterAll
    void stop() {
        producer.close();
        server.close();
        warehouse.close();
        broker.close();
    }

    /** An open SSE connection whose lines are collected by a reader thread. */
    private final class Tap implements AutoCloseable {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final InputStream body;

        Tap(String query) throws Exception {
            // A slot of an earlier test's client is freed at that stream's next heartbeat (every 2 s).
            HttpResponse<InputStream> r = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .pollInterval(java.time.Duration.ofMillis(250))
                    .until(() -> open(query), response -> {
                        if (response.statusCode() != 503) {
                            return true;
                        }
                        try {
                            response.body().close();
                        } catch (java.io.IOException e) {
                            // the refused response's body is empty; nothing to release
                        }
                        return false;
                    });
            assertEquals(200, r.statusCode());
            assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
            body = r.body();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (Exception e) {
                    // closed by the test
                }
            });
            reader.setDaemon(true);
            reader.start();
            // The first comment is written only after the consumer sits at the end of the topic.
            assertTrue(lines.poll(20, TimeUnit.SECONDS).startsWith(": footfall tap of"));
        }

        private HttpResponse<InputStream> open(String query) throws Exception {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/tap?" + query)).build(), HttpResponse.BodyHandlers.ofInputStream());
        }

        /** The event and data lines of the next n events, waiting up to 20 s. */
        List<String> events(int n) throws InterruptedException {
            return events(n, 20);
        }

        List<String> events(int n, int seconds) throws InterruptedException {
            List<String> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (out.size() < 2 * n && System.nanoTime() < deadline) {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line != null && (line.startsWith("event:") || line.startsWith("data:"))) {
                    out.add(line);
                }
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            body.close();
        }
    }

    private void send(String topic, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, value)).get();
    }

    private static byte[] raw(String site, String url) {
        return RawEventJson.encode(new RawEvent(null, site, EventType.PAGEVIEW, null, url, null, null, null, null, null,
                null, null, null, System.currentTimeMillis(), IP, "Mozilla/5.0 test"));
    }

    @Test
    void rawRecordsStreamLiveFilteredAndWithoutTheIp() throws Exception {
        send(KafkaConfig.RAW_TOPIC, raw("tap.test", "https://tap.test/before"));
        try (Tap tap = new Tap("topic=raw&site=tap.test")) {
            send(KafkaConfig.RAW_TOPIC, raw("other.test", "https://other.test/x"));
            send(KafkaConfig.RAW_TOPIC, raw("tap.test", "https://tap.test/live"));
            List<String> lines = tap.events(1);
            assertEquals("event: pageview", lines.get(0));
            String data = lines.get(1);
            assertTrue(data.contains("\"url\":\"https://tap.test/live\""), data);
            assertFalse(data.contains(IP), "the client IP never leaves the server: " + data);
            assertFalse(data.contains("\"ip\""), data);
            // The other site's record was sent before the live one, so it would have arrived by now.
            assertTrue(tap.events(1, 2).isEmpty(), "neither the earlier record nor another site's is shown");
        }
    }

    @Test
    void badRecordsQuotingARawEventLoseTheIpToo() throws Exception {
        try (Tap tap = new Tap("topic=bad&filter=broken")) {
            String quoted = new String(raw("tap.test", "https://tap.test/broken"), StandardCharsets.UTF_8);
            send(KafkaConfig.BAD_TOPIC, BadEventJson.encode(new BadEvent("enrich", "broken_url", "test", "tap.test",
                    quoted, System.currentTimeMillis())));
            send(KafkaConfig.BAD_TOPIC, BadEventJson.encode(new BadEvent("collect", "bad_json", "test", null,
                    "{\"site\":\"x\",\"ip\":\"" + IP + "\",broken", System.currentTimeMillis())));
            List<String> lines = tap.events(2);
            assertEquals(4, lines.size(), lines.toString());
            assertEquals("event: bad", lines.get(0));
            assertTrue(lines.get(1).contains("broken_url"), lines.get(1));
            assertTrue(lines.get(3).contains("bad_json"), lines.get(3));
            lines.forEach(l -> assertFalse(l.contains(IP), l));
        }
    }

    @Test
    void aClosedClientStopsItsConsumerAndLeavesNoGroupBehind() throws Exception {
        Set<String> groupsBefore = groups();
        Tap tap = new Tap("topic=events");
        assertEquals(1, server.tapStreams());
        tap.close();
        // The server notices at its next write: a heartbeat goes out every 2 s when nothing else does.
        await().atMost(Duration.ofSeconds(20)).until(() -> server.tapStreams() == 0);
        assertEquals(groupsBefore, groups(), "the tap consumer never joined or created a consumer group");
    }

    @Test
    void moreClientsThanSlotsAre503AndBadParametersAre400() throws Exception {
        try (Tap a = new Tap("topic=events"); Tap b = new Tap("topic=bad")) {
            HttpResponse<String> third = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/tap?topic=raw")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, third.statusCode(), third.body());
            assertNotNull(third.headers().firstValue("Retry-After").orElse(null));
        }
        for (Map.Entry<String, String> bad : Map.of("topic=everything", "topic:", "site=Not%20A%20Site", "site:",
                "grep=x", "grep:").entrySet()) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/tap?" + bad.getKey())).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"detail\":\"" + bad.getValue()), r.body());
        }
        // A stream is read, never posted to: other methods are 405 (an answer, not a stream).
        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/tap?topic=events")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, posted.statusCode(), posted.body());
        assertEquals("GET", posted.headers().firstValue("Allow").orElse(null));
        assertTrue(posted.body().contains("\"error\":\"method_not_allowed\""), posted.body());
    }

    private Set<String> groups() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            return admin.listGroups().all().get().stream().map(g -> g.groupId()).collect(Collectors.toSet());
        }
    }
}
