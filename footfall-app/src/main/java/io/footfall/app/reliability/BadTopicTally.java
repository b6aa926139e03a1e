package io.footfall.app.reliability;

import io.footfall.core.config.KafkaConfig;
import io.footfall.core.json.BadEventJson;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Every committed record of {@code footfall.bad}, counted by reason: what the suites add to their comparison. A
 * loss report ({@code records_expired_before_enrichment} or {@code records_expired_before_load}) says the pipeline
 * saw records deleted before it read them; in a suite that deletes nothing, one is a false alarm an operator would
 * be paged for, so it fails the run like a lost event.
 */
public final class BadTopicTally {

    /** The reasons under which a stage reports records it never read (docs/enricher.md, docs/loader.md). */
    public static final List<String> LOSS_REASONS = List.of("records_expired_before_enrichment", "records_expired_before_load");

    private BadTopicTally() {
    }

    /**
     * Reads {@code footfall.bad} from its start to the end it has now (transactions' aborted records left out).
     *
     * @return reason → records, sorted by reason; a record that does not decode counts as {@code unreadable}
     * @throws IllegalStateException when the topic's end is not reached within {@code timeout}
     */
    public static Map<String, Long> byReason(String bootstrapServers, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "footfall-suite-bad-tally");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        Map<String, Long> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(KafkaConfig.BAD_TOPIC, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            // Until every position reaches its end: transaction markers take offsets no poll returns.
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + KafkaConfig.BAD_TOPIC + " to its end within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        out.merge(reason(r.value()), 1L, Long::sum);
                    }
                }
            }
        }
        return out;
    }

    /** How many of the counted records are loss reports. */
    public static long lossReports(Map<String, Long> byReason) {
        return LOSS_REASONS.stream().mapToLong(r -> byReason.getOrDefault(r, 0L)).sum();
    }

    private static String reason(byte[] value) {
        try {
            String reason = value == null ? null : BadEventJson.decode(value).reason();
            return reason == null ? "unreadable" : reason;
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }
}
