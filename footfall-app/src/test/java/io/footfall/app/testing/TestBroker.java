package io.footfall.app.testing;

import io.footfall.app.broker.EmbeddedKafka;
import io.footfall.app.broker.Topics;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

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
        return new TestBroker(broker, kafka);
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
