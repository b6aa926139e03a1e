package io.footfall.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.BadEvent;
import io.footfall.core.json.BadEventJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suites' count of footfall.bad: every committed record once, by reason; aborted ones and markers not at all. */
class BadTopicTallyIT {

    @TempDir
    Path dir;

    @Test
    void countsCommittedRecordsByReasonAndTheLossReportsAmongThem() throws Exception {
        try (TestBroker broker = TestBroker.start(dir, 2)) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bad-tally-test");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(bad(0, "enrich", "invalid_url"));
                producer.send(bad(1, "enrich", "invalid_url"));
                producer.send(bad(1, "enrich", "records_expired_before_enrichment"));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(bad(0, "enrich", "records_expired_before_enrichment"));
                producer.send(bad(1, "enrich", "missing_site"));
                producer.flush();
                producer.abortTransaction();
                producer.beginTransaction();
                producer.send(bad(0, "load", "records_expired_before_load"));
                producer.send(new ProducerRecord<>(KafkaConfig.BAD_TOPIC, 1, null, "not json".getBytes(StandardCharsets.UTF_8)));
                producer.commitTransaction();
            }
            Map<String, Long> byReason = BadTopicTally.byReason(broker.bootstrapServers(), Duration.ofSeconds(30));
            assertEquals(Map.of("invalid_url", 2L, "records_expired_before_enrichment", 1L, "records_expired_before_load", 1L,
                    "unreadable", 1L), byReason);
            assertEquals(2, BadTopicTally.lossReports(byReason));
        }
    }

    private static ProducerRecord<byte[], byte[]> bad(int partition, String stage, String reason) {
        return new ProducerRecord<>(KafkaConfig.BAD_TOPIC, partition, null,
                BadEventJson.encode(new BadEvent(stage, reason, null, "tally.test", null, 0)));
    }
}
