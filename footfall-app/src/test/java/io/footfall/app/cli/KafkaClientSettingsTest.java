package io.footfall.app.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.core.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {

    @Test
    void settingsOfEveryClientAndUnderStreamsPrefixesAreKnown() {
        for (String name : new String[] {"security.protocol", "ssl.truststore.location", "sasl.jaas.config", "sasl.mechanism",
                "linger.ms", "max.poll.records", "group.instance.id", "default.api.timeout.ms", "num.stream.threads",
                "main.consumer.group.instance.id", "producer.compression.type", "admin.retries", "topic.min.insync.replicas"}) {
            assertTrue(KafkaClientSettings.known(name), name);
        }
        for (String name : new String[] {"securty.protocol", "ssl.truststore.locaton", "main.consumer.securty.protocol", "lingerms"}) {
            assertFalse(KafkaClientSettings.known(name), name);
        }
    }

    @Test
    void theFirstUnknownNameIsNamedWithItsPrefix() {
        ConfigException e = assertThrows(ConfigException.class, () -> KafkaClientSettings.check(Map.of(
                "security.protocol", "SSL", "ssl.keystore.locaton", "/k", "zz.typo", "1")));
        assertTrue(e.getMessage().startsWith("kafka.client.ssl.keystore.locaton: not a setting of Kafka's"), e.getMessage());
        KafkaClientSettings.check(Map.of("security.protocol", "SSL"));
    }
}
