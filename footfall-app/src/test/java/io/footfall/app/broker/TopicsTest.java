package io.footfall.app.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.config.Settings;
import io.footfall.enricher.EnricherApp;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** How footfall creates its topics on a real cluster: an acknowledged write must be on two brokers. */
class TopicsTest {

    @Test
    void threeReplicasRequireTwoInSync() {
        KafkaConfig kafka = KafkaConfig.from(Settings.of(Map.of("kafka.replicationFactor", "3", "kafka.partitions", "12",
                "kafka.rawRetention", "14d")));
        NewTopic raw = Topics.newTopic(KafkaConfig.RAW_TOPIC, kafka);
        assertEquals(12, raw.numPartitions());
        assertEquals(3, raw.replicationFactor());
        assertEquals(Map.of("retention.ms", Long.toString(14L * 24 * 3600 * 1000), "min.insync.replicas", "2"), raw.configs());
        assertEquals(Map.of("min.insync.replicas", "2"), Topics.newTopic(KafkaConfig.EVENTS_TOPIC, kafka).configs());
        assertEquals("2", EnricherApp.streamsProperties(kafka, EnricherConfig.from(Settings.of(Map.of())), Path.of("state"))
                .get(StreamsConfig.topicPrefix("min.insync.replicas")), "the enricher's changelogs too");
    }

    @Test
    void aSingleNodeOrTwoReplicasKeepTheBrokersDefault() {
        for (String replicas : new String[] {"1", "2"}) {
            KafkaConfig kafka = KafkaConfig.from(Settings.of(Map.of("kafka.replicationFactor", replicas)));
            assertEquals(Map.of(), Topics.newTopic(KafkaConfig.BAD_TOPIC, kafka).configs());
            assertNull(EnricherApp.streamsProperties(kafka, EnricherConfig.from(Settings.of(Map.of())), Path.of("state"))
                    .get(StreamsConfig.topicPrefix("min.insync.replicas")));
        }
    }
}
