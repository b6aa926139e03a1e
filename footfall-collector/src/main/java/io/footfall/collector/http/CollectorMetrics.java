package io.footfall.collector.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToDoubleFunction;

/**
 * The collector's meters; names are what {@code /metrics} shows (dots become underscores, counters get
 * {@code _total}). Counters are created on first use and then looked up without allocating.
 */
public final class CollectorMetrics {

    private static final int STATUSES = 600;

    private final MeterRegistry registry;
    private final Counter eventsAccepted;
    private final Counter unavailable;
    private final Counter rateLimited;
    private final DistributionSummary bytesIn;
    private final Timer produceLatency;
    private final AtomicReferenceArray<Counter> requests = new AtomicReferenceArray<>(Route.values().length * STATUSES);
    private final ConcurrentMap<String, Counter> rejected = new ConcurrentHashMap<>();

    public CollectorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.eventsAccepted = Counter.builder("footfall.collector.events.accepted")
                .description("events acknowledged by the broker and answered 202").register(registry);
        this.unavailable = Counter.builder("footfall.collector.unavailable")
                .description("requests answered 503 (health probes apart): stream unreachable, budget full or shutting down").register(registry);
        this.rateLimited = Counter.builder("footfall.collector.rate.limited")
                .description("requests answered 429 by the per-client rate limit").register(registry);
        this.bytesIn = DistributionSummary.builder("footfall.collector.request.bytes")
                .description("request body bytes as received").baseUnit("bytes").register(registry);
        this.produceLatency = Timer.builder("footfall.collector.produce.latency")
                .description("time from request decoded to broker acknowledgement")
                .publishPercentileHistogram().register(registry);
    }

    public <T> void gauge(String name, String description, T target, ToDoubleFunction<T> value) {
        Gauge.builder(name, target, value).description(description).register(registry);
    }

    void request(Route route, int status) {
        int slot = route.ordinal() * STATUSES + Math.min(Math.max(status, 0), STATUSES - 1);
        Counter counter = requests.get(slot);
        if (counter == null) {
            counter = Counter.builder("footfall.collector.requests").description("HTTP requests by route and status")
                    .tag("route", route.tag()).tag("status", Integer.toString(status)).register(registry);
            requests.set(slot, counter);
        }
        counter.increment();
        if (status == 503 && route != Route.HEALTH) {
            // A readiness probe's 503 is the collector saying it is not ready, not a request refused.
            unavailable.increment();
        } else if (status == 429) {
            rateLimited.increment();
        }
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
