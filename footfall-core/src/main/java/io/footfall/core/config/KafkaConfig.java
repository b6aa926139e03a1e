package io.footfall.core.config;

import java.time.Duration;
import java.util.Map;

/**
 * Where the stream lives and how its topics look.
 *
 * @param bootstrapServers   an external cluster, or empty for the embedded broker of {@code standalone}
 * @param embeddedPort       the embedded broker's client port; 0 picks a free one
 * @param partitions         partitions per topic; the most instances of any role that can share the work
 * @param partitionsGiven    whether {@code kafka.partitions} was set rather than left at its default
 * @param replicationFactor  1 on a single node; 3 in a shared deployment
 * @param rawRetention       how long {@code footfall.raw} is kept, so {@code replay} can rebuild
 * @param rawRetentionGiven  whether {@code kafka.rawRetention} was set rather than left at its default
 * @param clientProperties   passed to every Kafka client as-is (TLS, SASL): {@code kafka.client.*}
 * @param startTimeout       how long a role waits for the cluster at start before failing with a clear message
 */
public record KafkaConfig(
        String bootstrapServers,
        int embeddedPort,
        int partitions,
        boolean partitionsGiven,
        short replicationFactor,
        Duration rawRetention,
        boolean rawRetentionGiven,
        Map<String, String> clientProperties,
        Duration startTimeout) {

    public static final String RAW_TOPIC = "footfall.raw";
    public static final String EVENTS_TOPIC = "footfall.events";
    public static final String BAD_TOPIC = "footfall.bad";

    public static KafkaConfig from(Settings s) {
        return new KafkaConfig(
                s.string("kafka.bootstrapServers", ""),
                s.integer("kafka.embeddedPort", 0, 0, 65535),
                s.integer("kafka.partitions", 6, 1, 1024),
                s.given("kafka.partitions"),
                (short) s.integer("kafka.replicationFactor", 1, 1, 7),
                s.duration("kafka.rawRetention", Duration.ofDays(7), Duration.ofHours(1), Duration.ofDays(3650)),
                s.given("kafka.rawRetention"),
                s.passThrough("kafka.client."),
                s.duration("kafka.startTimeout", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(10)));
    }

    public boolean embedded() {
        return bootstrapServers.isEmpty();
    }

    /**
     * {@code min.insync.replicas} of the topics footfall creates, or 0 to leave the broker's default: with 3
     * or more replicas, 2 — an {@code acks=all} write (a collector's 202, an enricher's commit) is then on two
     * brokers before it counts, and one broker may be down without refusing writes. With fewer replicas the
     * broker's default stays (requiring both of 2 would refuse every write while either is down).
     */
    public int minInsyncReplicas() {
        return replicationFactor >= 3 ? 2 : 0;
    }

    /** The same settings with one more client property (for the clients of one role). */
    public KafkaConfig withClientProperty(String key, String value) {
        Map<String, String> properties = new java.util.HashMap<>(clientProperties);
        properties.put(key, value);
        return new KafkaConfig(bootstrapServers, embeddedPort, partitions, partitionsGiven, replicationFactor, rawRetention,
                rawRetentionGiven, Map.copyOf(properties), startTimeout);
    }

    /** The same settings pointed at a known broker address (the embedded one, once it is up). */
    public KafkaConfig withBootstrapServers(String servers) {
        return new KafkaConfig(servers, embeddedPort, partitions, partitionsGiven, replicationFactor, rawRetention, rawRetentionGiven,
                clientProperties, startTimeout);
    }
}
