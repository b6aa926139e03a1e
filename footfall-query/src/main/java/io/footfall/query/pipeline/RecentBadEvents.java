package io.footfall.query.pipeline;

import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.BadEvent;
import io.footfall.core.json.BadEventJson;
import io.footfall.query.tap.TapRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the last few hundred records of {@code footfall.bad} (group-less, nothing committed) and groups
 * them by stage and reason with the newest as a sample. One consumer, used under a lock; a look costs one
 * metadata request, one offsets request and one fetch per partition.
 */
public final class RecentBadEvents implements AutoCloseable {

    /** Enough to show every reason that is happening now, small enough to fetch in one poll. */
    static final int PER_PARTITION = 100;

    private final KafkaConsumer<byte[], byte[]> consumer;

    public RecentBadEvents(KafkaConfig kafka) {
        Properties p = new Properties();
        p.putAll(kafka.clientProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "footfall-bad-sampler");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // The enricher writes its bad records in transactions: an aborted one (its task redone) is not a second record.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The total number of bad records and the recent ones grouped by reason, most frequent first. */
    public synchronized Sample sample() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(KafkaConfig.BAD_TOPIC, Duration.ofSeconds(5))) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions);
        long total = 0;
        for (TopicPartition tp : partitions) {
            long end = ends.get(tp);
            long start = Math.max(begins.get(tp), end - PER_PARTITION);
            total += end;
            consumer.seek(tp, start);
        }
        Map<String, PipelineStatus.BadReason> byReason = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        // Until every partition's position passes its end: the enricher's transaction markers take offsets that no
        // poll returns, so counting records would wait for the deadline at every look.
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (ends.get(new TopicPartition(r.topic(), r.partition())) <= r.offset()) {
                    continue;
                }
                add(byReason, r.value());
            }
        }
        List<PipelineStatus.BadReason> reasons = new ArrayList<>(byReason.values());
        reasons.sort((a, b) -> Long.compare(b.count(), a.count()));
        return new Sample(total, reasons);
    }

    private static void add(Map<String, PipelineStatus.BadReason> byReason, byte[] value) {
        BadEvent e;
        try {
            e = BadEventJson.decode(value);
        } catch (IOException | RuntimeException notBad) {
            return;
        }
        String key = e.stage() + "/" + e.reason();
        PipelineStatus.BadReason before = byReason.get(key);
        String sample = new String(BadEventJson.encode(new BadEvent(e.stage(), e.reason(), e.detail(), e.site(),
                TapRecords.withoutIp(e.payload()), e.receivedAt())), StandardCharsets.UTF_8);
        byReason.put(key, new PipelineStatus.BadReason(e.stage(), e.reason(), before == null ? 1 : before.count() + 1, sample));
    }

    /** @param total every bad record the topic has held (sum of end offsets) */
    public record Sample(long total, List<PipelineStatus.BadReason> reasons) {
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
