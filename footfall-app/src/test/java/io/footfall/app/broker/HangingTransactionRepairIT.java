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
 * {@code t} holds per partition a committed record (offsets 0 and 1: the record and its commit marker) and a
 * record (offset 2) of a transaction the coordinator recorded as committed whose markers never reached the
 * partitions, nor its offset commit for {@code fixture-group}.
 */
class HangingTransactionRepairIT {

    private static final List<TopicPartition> T = IntStream.range(0, 3).mapToObj(p -> new TopicPartition("t", p)).toList();

    @TempDir
    Path dir;

    @Test
    void theEmbeddedBrokerCommitsItAtStartAsItsCoordinatorDecidedSoNothingItWroteIsLost() throws IOException {
        try (EmbeddedKafka broker = EmbeddedKafka.start(unzipFixture(), 0, kafkaConfig(), true)) {
            Map<TopicPartition, Long> stable = endOffsets(broker, "read_committed");
            Map<TopicPartition, Long> written = endOffsets(broker, "read_uncommitted");
            // Per partition: a record and its commit marker, the hanging transaction's record, and the commit
            // marker the repair wrote.
            assertEquals(Map.of(T.get(0), 4L, T.get(1), 4L, T.get(2), 4L), written);
            assertEquals(written, stable, "nothing may stay open after the repair");
            for (TopicPartition tp : T) {
                // 1 if the repair had aborted what its coordinator committed.
                assertEquals(2, readCommitted(broker, tp), tp + ": the records of both committed transactions");
            }
            // Its offset commit for the group took effect too (1; the transaction before it committed 0), and a
            // reader of the group's offsets (what the enricher's consumer does on start) gets an answer.
            try (KafkaConsumer<byte[], byte[]> group = consumer(broker, "read_committed", "fixture-group")) {
                assertEquals(1L, group.committed(Set.of(T.get(0)), Duration.ofSeconds(30)).get(T.get(0)).offset());
            }
            assertEquals(0, HangingTransactions.repairAll(broker.bootstrapServers(), Duration.ofSeconds(30)),
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
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(broker, isolation, null)) {
            return new HashMap<>(consumer.endOffsets(T, Duration.ofSeconds(30)));
        }
    }

    private static int readCommitted(EmbeddedKafka broker, TopicPartition tp) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(broker, "read_committed", null)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            int records = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (consumer.position(tp) < consumer.endOffsets(List.of(tp)).get(tp) && System.nanoTime() < deadline) {
                records += consumer.poll(Duration.ofMillis(200)).count();
            }
            return records;
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka broker, String isolation, String group) {
        Map<String, Object> props = new HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation));
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
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
