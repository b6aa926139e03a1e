package io.footfall.core.config;

import java.time.Duration;

/**
 * The HTTP collector's limits and producer settings. Defaults follow DESIGN.md.
 *
 * @param maxInflightBytes bytes of events handed to the producer and not yet acknowledged; beyond this the
 *                         collector answers 503 at once. 64 MB holds ~180k 350-byte events: over a second of
 *                         the target rate, so the budget only binds when the broker is slow or gone.
 * @param deliveryTimeout  how long the producer may try before an event is answered 503
 */
public record CollectorConfig(
        String host,
        int port,
        int maxEventBytes,
        int maxEventsPerRequest,
        int maxRequestBytes,
        long maxInflightBytes,
        Duration deliveryTimeout,
        Duration lingerTime,
        Duration readTimeout,
        Duration idleTimeout) {

    public static CollectorConfig from(Settings s) {
        int maxRequestBytes = (int) s.bytes("collector.maxRequestBytes", 1024 * 1024, 1024, 64L * 1024 * 1024);
        Duration deliveryTimeout = s.duration("collector.deliveryTimeout", Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofMinutes(10));
        Duration linger = s.duration("collector.lingerTime", Duration.ofMillis(5), Duration.ZERO, Duration.ofSeconds(1));
        return new CollectorConfig(
                s.string("collector.host", "0.0.0.0"),
                s.integer("collector.port", 8080, 0, 65535),
                (int) s.bytes("collector.maxEventBytes", 32 * 1024, 256, maxRequestBytes),
                s.integer("collector.maxEventsPerRequest", 500, 1, 100_000),
                maxRequestBytes,
                s.bytes("collector.maxInflightBytes", 64L * 1024 * 1024, 1024 * 1024, 4L * 1024 * 1024 * 1024),
                deliveryTimeout,
                linger,
                s.duration("collector.readTimeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(10)),
                s.duration("collector.idleTimeout", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1)));
    }
}
