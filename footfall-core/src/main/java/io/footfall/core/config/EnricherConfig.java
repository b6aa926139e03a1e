package io.footfall.core.config;

import java.time.Duration;

/**
 * The stream workers.
 *
 * @param applicationId    the Kafka Streams application id; instances with the same id share the partitions
 * @param threads          stream threads per instance; one per core is the ceiling that helps
 * @param commitInterval   exactly-once commit interval: the latency floor from raw to events
 * @param sessionTimeout   inactivity after which a visitor's next event starts a new session
 */
public record EnricherConfig(
        String applicationId,
        int threads,
        Duration commitInterval,
        Duration sessionTimeout) {

    public static EnricherConfig from(Settings s) {
        return new EnricherConfig(
                s.string("enricher.applicationId", "footfall-enricher"),
                s.integer("enricher.threads", 1, 1, 64),
                s.duration("enricher.commitInterval", Duration.ofMillis(100), Duration.ofMillis(10), Duration.ofMinutes(1)),
                s.duration("enricher.sessionTimeout", Duration.ofMinutes(30), Duration.ofMinutes(1), Duration.ofDays(1)));
    }
}
