package io.footfall.app.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.KafkaConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker log that holds a real hanging transaction (see {@code hanging-transaction/README.md}): topic
 * {@code t} has three records per partition, the last two of a transaction the coordinator recorded as
 * committed but whose markers never reached the partitions.
 */
class HangingTransactionRepairIT {

    private static final List<TopicPartition> T = IntStream.range(0, 3).mapToObj(p -> new TopicPartition("t", p)).toList();

    @TempDir
    Path dir;

    @Test
    void theEmbeddedBrokerAbortsItAtStartSoAReadCommittedReaderReachesTheEnd() throws IOException {
        try (EmbeddedKafka broker = EmbeddedKafka.start(unzipFixture(), 0, kafkaConfig(), true)) {
            Map<TopicPartition, Long> stable = endOffsets(broker, "read_committed");
            Map<TopicPartition, Long> written = endOffsets(broker, "read_uncommitted");
            // Three records and the abort marker written by the repair.
            assertEquals(Map.of(T.get(0), 4L, T.get(1), 4L, T.get(2), 4L), written);
            assertEquals(written, stable, "nothing may stay open after the repair");
            // The transaction's offset commit for the group is no longer pending: a reader of the group's
            // offsets (what the enricher's consumer does on start) gets an answer instead of waiting for good.
            try (KafkaConsumer<byte[], byte[]> group = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "fixture-group",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                assertTrue(group.committed(Set.of(T.get(0)), Duration.ofSeconds(30)).containsKey(T.get(0)));
            }
            assertEquals(0, HangingTransactions.abortAll(broker.bootstrapServers(), Duration.ofSeconds(30)),
                    "a second check finds nothing left");
        }
    }

    @Test
    void negativeControlWithoutTheRepairTheTransactionStaysOpenAndReadersStopBeforeIt() throws IOException {
        try (EmbeddedKafka broker = EmbeddedKafka.start(unzipFixture(), 0, kafkaConfig(), false)) {
            Map<TopicPartition, Long> stable = endOffsets(broker, "read_committed");
            Map<TopicPartition, Long> written = endOffsets(broker, "read_uncommitted");
            for (TopicPartition tp : T) {
                assertTrue(stable.get(tp) < written.get(tp), tp + ": last stable " + stable.get(tp) + ", written "
                        + written.get(tp) + " — the fixture no longer holds a hanging transaction");
            }
        }
    }

    private KafkaConfig kafkaConfig() {
        return TestBroker.baseConfig(dir, Map.of("kafka.partitions", "1")).kafka();
    }

    private static Map<TopicPartition, Long> endOffsets(EmbeddedKafka broker, String isolation) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return new HashMap<>(consumer.endOffsets(T, Duration.ofSeconds(30)));
        }
    }

    /** The fixture's log directory, copied out of the test resources (index files left out: Kafka rebuilds them). */
    private Path unzipFixture() throws IOException {
        Path target = dir.resolve("data");
        try (InputStream in = getClass().getResourceAsStream("/hanging-transaction/kafka-log.zip");
                ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                Path file = target.resolve(entry.getName()).normalize();
                if (!file.startsWith(target)) {
                    throw new IOException("fixture entry outside its directory: " + entry.getName());
                }
                Files.createDirectories(file.getParent());
                Files.copy(zip, file);
            }
        }
        return target.resolve("kafka");
    }
}
