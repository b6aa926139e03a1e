package io.footfall.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void aValueKafkaRefusesIsRefusedAtStartAndOneFootfallSetsItselfIsNoted() {
        for (Map.Entry<String, String> bad : Map.of("linger.ms", "abc", "security.protocol", "TLS",
                "main.consumer.max.poll.records", "0", "compression.type", "zip").entrySet()) {
            ConfigException e = assertThrows(ConfigException.class, () -> KafkaClientSettings.check(Map.of(bad.getKey(), bad.getValue())));
            assertTrue(e.getMessage().startsWith("kafka.client." + bad.getKey() + ": "), e.getMessage());
        }
        KafkaClientSettings.check(Map.of("linger.ms", "5", "security.protocol", "SASL_SSL", "main.consumer.max.poll.records", "10",
                "config.providers", "env", "request.timeout.ms", "${env:T}"));
        assertEquals(java.util.List.of(
                "footfall: note: kafka.client.acks is not used where footfall sets acks itself (all: no 202 and no enriched"
                        + " event before every in-sync replica has it)",
                "footfall: note: kafka.client.producer.linger.ms is not used where footfall sets linger.ms itself"
                        + " (collector.lingerTime for the collector)"),
                KafkaClientSettings.notes(Map.of("acks", "0", "producer.linger.ms", "5", "security.protocol", "SSL")));
    }
}
