package io.footfall.app.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.KafkaConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repair's check on a healthy broker: transactions in progress and committed ones are never aborted. */
class HangingTransactionsIT {

    @TempDir
    Path dir;

    @Test
    void aTransactionInProgressIsNotTakenForAHangingOneAndCommitsAfterTheCheck() throws Exception {
        try (TestBroker broker = TestBroker.start(dir, 1);
                KafkaProducer<String, String> producer = transactionalProducer(broker.bootstrapServers())) {
            TopicPartition raw = new TopicPartition(KafkaConfig.RAW_TOPIC, 0);
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(raw.topic(), raw.partition(), "k", "committed before the check")).get();
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(raw.topic(), raw.partition(), "k", "open during the check")).get();

            assertEquals(0, HangingTransactions.repairAll(broker.bootstrapServers(), Duration.ofSeconds(30)));

            producer.commitTransaction();
            assertEquals(List.of("committed before the check", "open during the check"),
                    readCommitted(broker.bootstrapServers(), raw, 2));
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "hanging-check-it"),
                new StringSerializer(), new StringSerializer());
    }

    private static List<String> readCommitted(String bootstrap, TopicPartition partition, int expected) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            return values;
        }
    }
}
