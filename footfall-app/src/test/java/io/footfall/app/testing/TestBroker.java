package io.footfall.app.testing;

import static org.awaitility.Awaitility.await;


import io.footfall.app.broker.EmbeddedKafka;
import io.footfall.app.broker.Topics;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real single-node KRaft broker for integration tests, on a free port, with footfall's topics created.
 * Integration tests of every module live in footfall-app because only it may depend on the broker.
 */
public final class TestBroker implements AutoCloseable {

    private final EmbeddedKafka broker;
    private final KafkaConfig kafka;

    private TestBroker(EmbeddedKafka broker, KafkaConfig kafka) {
        this.broker = broker;
        this.kafka = kafka;
    }

    public static TestBroker start(Path dir, int partitions) {
        KafkaConfig base = baseConfig(dir, Map.of("kafka.partitions", Integer.toString(partitions))).kafka();
        EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), 0, base);
        KafkaConfig kafka = base.withBootstrapServers(broker.bootstrapServers());
        Topics.ensure(kafka, Duration.ofSeconds(30));
        awaitLeaders(kafka, Duration.ofSeconds(30));
        return new TestBroker(broker, kafka);
    }

    /**
     * Waits until every partition of footfall's topics has a leader: {@link Topics#ensure} returns once the broker
     * accepted the creation, and a test that produces at once would race the new partitions' first leadership.
     */
    private static void awaitLeaders(KafkaConfig kafka, Duration timeout) {
        List<String> topics = List.of(KafkaConfig.RAW_TOPIC, KafkaConfig.EVENTS_TOPIC, KafkaConfig.BAD_TOPIC);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            await("footfall's topics have leaders").atMost(timeout).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions().until(() -> admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS)
                            .values().stream().flatMap(t -> t.partitions().stream())
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        }
    }

    /** A full configuration with the given overrides (dotted keys) and the data dir set. */
    public static FootfallConfig baseConfig(Path dataDir, Map<String, String> overrides) {
        Map<String, String> flags = new HashMap<>(overrides);
        flags.put("dataDir", dataDir.toString());
        return FootfallConfig.from(Settings.of(flags));
    }

    /** A configuration pointed at this broker. */
    public FootfallConfig config(Path dataDir, Map<String, String> overrides) {
        Map<String, String> flags = new HashMap<>(overrides);
        flags.put("kafka.bootstrapServers", kafka.bootstrapServers());
        flags.put("kafka.partitions", Integer.toString(kafka.partitions()));
        return baseConfig(dataDir, flags);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public KafkaConfig kafka() {
        return kafka;
    }

    @Override
    public void close() {
        broker.close();
    }
}
