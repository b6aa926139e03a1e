package io.footfall.app.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.collector.CollectorServer;
import io.footfall.collector.produce.EventSink;
import io.footfall.collector.produce.KafkaEventSink;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.app.testing.AcknowledgesEarlySink;
import io.footfall.app.testing.Http;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.event.RawEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker dies under load. The collector must answer every request (202 or 503, never a hang), turn
 * not-ready, keep its in-flight bytes inside the budget, and every event it answered 202 must be in
 * {@code footfall.raw} when the broker comes back.
 */
class BrokerOutageIT {

    /** Far above a 503 from a collector that knows the broker is gone, far below the delivery timeout. */
    private static final Duration FAST = Duration.ofSeconds(2);
    private static final long BUDGET = 4L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void brokerStopUnderLoadGivesFast503sBoundedMemoryAndLosesNoAcknowledgedEvent() throws Exception {
        Set<String> missing = outage(sink -> sink, true);
        assertEquals(Set.of(), missing, "events answered 202 but not in footfall.raw");
    }

    /** Negative control: a sink that answers before the broker acknowledges is caught by the same comparison. */
    @Test
    void aCollectorThatAnswersBeforeTheAckIsCaught() throws Exception {
        Set<String> missing = outage(AcknowledgesEarlySink::new, false);
        assertTrue(!missing.isEmpty(), "the id comparison must see events lost by an early 202");
    }

    /** Runs the outage and returns the ids answered 202 that are not in footfall.raw afterwards. */
    private Set<String> outage(UnaryOperator<EventSink> wrap, boolean strict) throws Exception {
        TestBroker broker = TestBroker.start(dir, 2);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        FootfallConfig config = broker.config(dir, Map.of("collector.port", "0",
                "collector.host", "127.0.0.1", "collector.deliveryTimeout", "8s",
                "collector.maxInflightBytes", Long.toString(BUDGET)));
        KafkaEventSink kafkaSink = new KafkaEventSink(config.kafka(), config.collector());
        kafkaSink.start(KafkaConfig.RAW_TOPIC, Duration.ofSeconds(30));
        CollectorServer collector = new CollectorServer(config.collector(), wrap.apply(kafkaSink), registry, registry::scrape);
        int port = collector.start();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicLong maxInflight = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Gauge inflight = registry.find("footfall.collector.inflight.bytes").gauge();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread worker = new Thread(() -> {
                while (running.get()) {
                    String id = UUID.randomUUID().toString();
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                            .POST(HttpRequest.BodyPublishers.ofString(CollectorIT.event(id))).build();
                    try {
                        int status = client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
                        if (status == 202) {
                            acknowledged.add(id);
                        } else if (status == 503) {
                            unavailable.incrementAndGet();
                        } else {
                            other.incrementAndGet();
                        }
                    } catch (Exception e) {
                        other.incrementAndGet();
                    }
                    maxInflight.accumulateAndGet((long) inflight.value(), Math::max);
                }
            }, "load-" + t);
            worker.start();
            load.add(worker);
        }
        awaitCount(acknowledged, 500);
        broker.close();
        int ackedAtStop = acknowledged.size();

        // Once the collector has noticed, readiness is 503 and every new request is a fast 503.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> Http.get(port, "/health/ready").statusCode() == 503);
        int unavailableBefore = unavailable.get();
        for (int i = 0; i < (strict ? 50 : 0); i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                    .header("Content-Type", "application/json").timeout(FAST)
                    .POST(HttpRequest.BodyPublishers.ofString(CollectorIT.event(UUID.randomUUID().toString()))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
        }
        if (strict) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> unavailable.get() > unavailableBefore + 20);
        } else {
            awaitCount(acknowledged, ackedAtStop + 500);
        }
        running.set(false);
        for (Thread t : load) {
            t.join(30_000);
        }

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> unavailable.get() > 0 || !strict);
        assertEquals(0, other.get(), "every request was answered 202 or 503: no hang, no 5xx, no reset");
        assertTrue(maxInflight.get() <= BUDGET, "in-flight bytes stayed inside the budget: " + maxInflight.get());
        System.gc();
        Runtime rt = Runtime.getRuntime();
        assertTrue(rt.totalMemory() - rt.freeMemory() < 768L * 1024 * 1024, "heap stays bounded");
        assertTrue(acknowledged.size() >= ackedAtStop);

        try (TestBroker restarted = TestBroker.start(dir, 2)) {
            List<RawEvent> raw = RawTopic.raw(restarted.bootstrapServers(),
                    got -> got.stream().map(RawEvent::eventId).collect(Collectors.toSet()).containsAll(acknowledged),
                    strict ? Duration.ofSeconds(30) : Duration.ofSeconds(8));
            Set<String> stored = raw.stream().map(RawEvent::eventId).collect(Collectors.toSet());
            Set<String> missing = new java.util.HashSet<>(acknowledged);
            missing.removeAll(stored);
            return missing;
        } finally {
            collector.close();
        }
    }

    private static void awaitCount(Set<String> set, int count) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> set.size() >= count);
    }
}
