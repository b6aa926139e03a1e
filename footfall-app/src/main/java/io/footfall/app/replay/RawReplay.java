package io.footfall.app.replay;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.enricher.pipeline.EnrichmentPipeline;
import io.footfall.enricher.pipeline.InMemoryState;
import io.footfall.enricher.pipeline.Outcome;
import io.footfall.loader.schema.Deletions;
import io.footfall.loader.warehouse.WarehouseWriter;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Re-reads {@code footfall.raw} between two times through the current enrichment rules
 * ({@link EnrichmentPipeline} over an {@link InMemoryState}) into a new events table. Its own consumer,
 * assigned every partition, with no group and no commits: the live enricher and loader never notice it.
 *
 * <p>The range is fixed when the run starts (the end offsets of {@code to}, or of now), so a replay ends
 * even while new events keep arriving; those stay in the live table only.
 */
public final class RawReplay {

    /** Rows per append: one warehouse transaction per 10,000 rows, like a loader batch. */
    private static final int APPEND_ROWS = 10_000;

    private final KafkaConfig kafka;
    private final EnricherConfig enricher;
    private final WarehouseWriter writer;
    private final Clock clock;
    private final ReplayProgress progress;

    public RawReplay(KafkaConfig kafka, EnricherConfig enricher, WarehouseWriter writer, Clock clock, ReplayProgress progress) {
        this.kafka = kafka;
        this.enricher = enricher;
        this.writer = writer;
        this.clock = clock;
        this.progress = progress;
    }

    /**
     * What a replay did.
     *
     * @param deleted events left out because {@code footfall delete} had deleted them (the deletion log)
     * @param missing records of the range that retention deleted before the replay could read them (0 when it read
     *                every one)
     */
    public record Result(long records, long rows, long bad, long deleted, long missing) {
    }

    /**
     * @param from first record time, or null for the earliest record kept
     * @param to   end of the range (exclusive), or null for the end of the topic when the run starts
     * @throws IllegalStateException when {@code table} is the live table or exists already
     */
    public Result run(String table, Instant from, Instant to) throws SQLException {
        if (table.equals(WarehouseWriter.LIVE_TABLE) || table.equals(WarehouseWriter.PREVIOUS_TABLE)) {
            throw new IllegalStateException("replay writes a new table, not " + table);
        }
        if (writer.tableExists(table)) {
            throw new IllegalStateException("table " + table + " exists already: choose a new name or drop it");
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions;
            Map<TopicPartition, Long> ends;
            Map<TopicPartition, Long> starts;
            try {
                partitions = consumer.partitionsFor(KafkaConfig.RAW_TOPIC, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(KafkaConfig.RAW_TOPIC, p.partition())).toList();
                consumer.assign(partitions);
                ends = offsetsAt(consumer, partitions, to);
                starts = offsetsAt(consumer, partitions, from == null ? Instant.EPOCH : from);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new IllegalStateException("Kafka at " + kafka.bootstrapServers() + " did not answer with the offsets of "
                        + KafkaConfig.RAW_TOPIC + " within 30 s");
            }
            long total = 0;
            for (TopicPartition tp : partitions) {
                long start = Math.min(starts.get(tp), ends.get(tp));
                consumer.seek(tp, start);
                total += ends.get(tp) - start;
            }
            // Only now: a replay that cannot read the topic leaves no empty table behind to block its retry.
            writer.createTable(table);
            progress.start(total);
            Result copied = copy(consumer, table, ends, writer.deletions());
            return new Result(copied.records(), copied.rows(), copied.bad(), copied.deleted(),
                    Math.max(0, total - copied.records()));
        }
    }

    /**
     * Every record goes through the pipeline, a deleted one too (the visitor's state, and so the later events'
     * sessions, stay as the live enricher made them); a deleted one then stays out of the table.
     */
    private Result copy(KafkaConsumer<byte[], byte[]> consumer, String table, Map<TopicPartition, Long> ends,
                        List<Deletions.Range> deletions) throws SQLException {
        EnrichmentPipeline pipeline = new EnrichmentPipeline(enricher, clock);
        InMemoryState state = new InMemoryState();
        VisitorExpiry expiry = new VisitorExpiry(ends.keySet().stream()
                .filter(tp -> consumer.position(tp) < ends.get(tp)).toList(), pipeline.visitorScanInterval().toMillis());
        List<StoredEvent> pending = new ArrayList<>(APPEND_ROWS);
        long records = 0;
        long rows = 0;
        long bad = 0;
        long deleted = 0;
        while (!done(consumer, ends)) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (record.offset() >= ends.get(tp)) {
                    consumer.pause(List.of(tp));
                    expiry.finished(tp);
                    continue;
                }
                records++;
                Outcome outcome = pipeline.process(record.value(), state);
                if (outcome.stored() != null) {
                    if (Deletions.covered(deletions, outcome.stored())) {
                        deleted++;
                    } else {
                        pending.add(outcome.stored());
                    }
                    if (expiry.seen(tp, outcome.stored().receivedAt())) {
                        pipeline.expireVisitors(state, expiry.horizonMs());
                    }
                } else if (outcome.bad() != null) {
                    bad++;
                }
                if (pending.size() >= APPEND_ROWS) {
                    rows += writer.append(table, pending);
                    pending.clear();
                }
            }
            progress.update(records);
        }
        rows += writer.append(table, pending);
        progress.finish(records);
        return new Result(records, rows, bad, deleted, 0);
    }

    private static boolean done(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The first offset at or after {@code time} per partition; the end offset when there is none (or time is null). */
    private static Map<TopicPartition, Long> offsetsAt(KafkaConsumer<byte[], byte[]> consumer,
                                                       List<TopicPartition> partitions, Instant time) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        if (time == null) {
            return ends;
        }
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp at = found.get(tp);
            offsets.put(tp, at == null ? ends.get(tp) : at.offset());
        }
        return offsets;
    }

    /**
     * When to forget idle visitors during a replay, by event time: the horizon is the oldest of the newest
     * receive times of the partitions still being read (partitions are read interleaved, some ahead of
     * others), and a scan runs whenever it has moved on by the pipeline's scan interval. Without it a replay
     * would hold every visitor of the whole range in memory.
     */
    static final class VisitorExpiry {
        private final Map<TopicPartition, Long> newest = new HashMap<>();
        private final Set<TopicPartition> reading;
        private final long intervalMs;
        private long lastScanMs = Long.MIN_VALUE;

        VisitorExpiry(Collection<TopicPartition> partitions, long intervalMs) {
            this.reading = new HashSet<>(partitions);
            this.intervalMs = intervalMs;
        }

        void finished(TopicPartition tp) {
            reading.remove(tp);
            newest.remove(tp);
        }

        /** @return whether a scan is due now */
        boolean seen(TopicPartition tp, long receivedAtMs) {
            long partitionNewest = newest.merge(tp, receivedAtMs, Math::max);
            // The horizon is at most this partition's newest: while that is within the interval of the last
            // scan, no scan can be due, and the minimum over the partitions need not be taken (every event).
            if (newest.size() < reading.size()
                    || lastScanMs != Long.MIN_VALUE && partitionNewest - lastScanMs < intervalMs) {
                return false;
            }
            long horizon = horizonMs();
            boolean due = lastScanMs != Long.MIN_VALUE && horizon - lastScanMs >= intervalMs;
            if (due || lastScanMs == Long.MIN_VALUE) {
                lastScanMs = horizon;
            }
            return due;
        }

        long horizonMs() {
            return newest.values().stream().mapToLong(Long::longValue).min().orElse(Long.MIN_VALUE);
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>(kafka.clientProperties());
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        // Retention may delete the segment being read (the oldest days of a long replay): go on from the oldest
        // record left, and count what was lost, rather than jump to the end (Kafka's default) and call it done.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }
}
