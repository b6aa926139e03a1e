package io.footfall.collector.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.ToDoubleFunction;

/** The collector's meters; names are what {@code /metrics} shows (dots become underscores). */
public final class CollectorMetrics {

    private final MeterRegistry registry;
    private final Counter eventsAccepted;
    private final DistributionSummary bytesIn;
    private final Timer produceLatency;
    private final ConcurrentMap<String, Counter> requests = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> rejected = new ConcurrentHashMap<>();

    public CollectorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.eventsAccepted = Counter.builder("footfall.collector.events.accepted")
                .description("events acknowledged by the broker and answered 202").register(registry);
        this.bytesIn = DistributionSummary.builder("footfall.collector.request.bytes")
                .description("request body bytes as received").baseUnit("bytes").register(registry);
        this.produceLatency = Timer.builder("footfall.collector.produce.latency")
                .description("time from request decoded to broker acknowledgement")
                .publishPercentileHistogram().register(registry);
    }

    public <T> void gauge(String name, String description, T target, ToDoubleFunction<T> value) {
        io.micrometer.core.instrument.Gauge.builder(name, target, value).description(description).register(registry);
    }

    public void request(String route, int status) {
        requests.computeIfAbsent(route + ' ' + status, k -> Counter.builder("footfall.collector.requests")
                .description("HTTP requests by route and status")
                .tag("route", route).tag("status", Integer.toString(status)).register(registry)).increment();
    }

    public void rejected(String reason, int count) {
        rejected.computeIfAbsent(reason, r -> Counter.builder("footfall.collector.events.rejected")
                .description("events refused, by reason").tag("reason", r).register(registry)).increment(count);
    }

    public void accepted(int count) {
        eventsAccepted.increment(count);
    }

    public void bytesIn(int bytes) {
        bytesIn.record(bytes);
    }

    public Timer produceLatency() {
        return produceLatency;
    }
}
