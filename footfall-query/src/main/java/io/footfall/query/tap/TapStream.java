package io.footfall.query.tap;

import io.footfall.core.config.KafkaConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows one topic from its end, without disturbing the pipeline: its own consumer with no group
 * ({@code assign()}, never {@code subscribe()}), so nothing is committed and no rebalance touches the
 * loader or the enricher.
 *
 * <p>Memory per stream is bounded by the fetch limits below (1 MB per fetch, 256 KB per partition) plus
 * one poll of at most 200 records, because records are written to the client before the next poll. A
 * client that reads slower than the topic grows only the distance to the end, never memory: when that
 * distance passes {@link #MAX_BEHIND} records the stream jumps to the end and says how many it skipped.
 */
public final class TapStream implements AutoCloseable {

    /** A client this far behind the end is not watching "live" any more; skip ahead. */
    static final long MAX_BEHIND = 5_000;
    static final Duration POLL = Duration.ofMillis(250);
    static final Duration HEARTBEAT = Duration.ofSeconds(2);
    static final Duration LAG_CHECK = Duration.ofSeconds(2);
    private static final AtomicInteger IDS = new AtomicInteger();

    /** Where records go; an IOException (the client went away) ends the stream. */
    public interface Sink {
        void record(TapRecord record) throws IOException;

        /** Nothing arrived for a while: a chance to prove the client is still there. */
        void heartbeat() throws IOException;

        /** The stream jumped to the end, leaving this many records unshown. */
        void skipped(long records) throws IOException;
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TapTopic topic;
    private final TapFilter filter;
    private final Clock clock;
    private final AtomicBoolean stopped = new AtomicBoolean();

    public TapStream(KafkaConfig kafka, TapTopic topic, TapFilter filter, Clock clock) {
        this.topic = topic;
        this.filter = filter;
        this.clock = clock;
        this.consumer = new KafkaConsumer<>(properties(kafka), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static Properties properties(KafkaConfig kafka) {
        Properties p = new Properties();
        p.putAll(kafka.clientProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "footfall-tap-" + IDS.incrementAndGet());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // footfall.events is written by an exactly-once Streams app: show only committed records.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200");
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(1024 * 1024));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(256 * 1024));
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return p;
    }

    /** Assigns every partition of the topic and moves to its end: from now on, only new records. */
    public void startAtEnd() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic.topic(), Duration.ofSeconds(10))) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        if (partitions.isEmpty()) {
            throw new IllegalStateException("topic " + topic.topic() + " has no partitions (does it exist?)");
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        for (TopicPartition tp : partitions) {
            consumer.position(tp);
        }
    }

    /** Runs until {@link #stop()} or until the sink fails; then the consumer is closed by {@link #close()}. */
    public void run(Sink sink) throws IOException {
        long lastSent = clock.millis();
        long lastLagCheck = clock.millis();
        try {
            while (!stopped.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    TapRecord record = TapRecords.decode(topic, r.value());
                    if (record != null && filter.matches(record)) {
                        sink.record(record);
                        lastSent = clock.millis();
                    }
                }
                long now = clock.millis();
                if (now - lastSent >= HEARTBEAT.toMillis()) {
                    sink.heartbeat();
                    lastSent = now;
                }
                if (now - lastLagCheck >= LAG_CHECK.toMillis()) {
                    lastLagCheck = now;
                    long behind = behind();
                    if (behind > MAX_BEHIND) {
                        consumer.seekToEnd(consumer.assignment());
                        sink.skipped(behind);
                    }
                }
            }
        } catch (WakeupException e) {
            // stop() was called
        }
    }

    private long behind() {
        long total = 0;
        for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(consumer.assignment()).entrySet()) {
            total += Math.max(0, end.getValue() - consumer.position(end.getKey()));
        }
        return total;
    }

    /** Ends {@link #run} from another thread (Ctrl-C, server shutdown). */
    public void stop() {
        stopped.set(true);
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
