package io.footfall.loader.consume;

import io.footfall.core.config.KafkaConfig;
import io.footfall.core.config.LoaderConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.json.StoredEventJson;
import io.footfall.loader.warehouse.WarehouseWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code footfall.events} and writes batches exactly once. The warehouse holds the offsets: on
 * every assignment the consumer seeks to them, and Kafka's committed offsets are informational only. A
 * batch that fails to write is retried with exponential backoff while the partitions are paused, so a
 * warehouse outage turns into lag, not memory.
 */
public final class LoaderService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoaderService.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final KafkaConfig kafka;
    private final LoaderConfig config;
    private final WarehouseWriter writer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Counter rowsWritten;
    private final Counter undecodable;
    private final Timer freshness;
    private final Batch batch;
    private volatile boolean running = true;
    private volatile long lastWriteMs;

    public LoaderService(KafkaConfig kafka, LoaderConfig config, WarehouseWriter writer, MeterRegistry registry) {
        this.kafka = kafka;
        this.config = config;
        this.writer = writer;
        this.consumer = new KafkaConsumer<>(consumerProperties(kafka, config),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.batch = new Batch(config.batchEvents(), config.batchBytes(), config.batchDelay().toNanos());
        this.rowsWritten = Counter.builder("footfall.loader.rows.written").description("new rows committed")
                .register(registry);
        this.undecodable = Counter.builder("footfall.loader.records.undecodable")
                .description("records of footfall.events that are not stored events").register(registry);
        this.freshness = Timer.builder("footfall.loader.freshness")
                .description("time from the record's timestamp to its row being committed")
                .publishPercentileHistogram().register(registry);
        this.thread = new Thread(this::run, "footfall-loader");
    }

    static Map<String, Object> consumerProperties(KafkaConfig kafka, LoaderConfig config) {
        Map<String, Object> p = new HashMap<>(kafka.clientProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(config.batchEvents(), 5000));
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        return p;
    }

    /** Migrates the schema and starts consuming on the loader's own thread. */
    public void start() throws SQLException {
        writer.migrate();
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(KafkaConfig.EVENTS_TOPIC), new Rebalance());
            long backoffMs = 0;
            long retryAtNanos = 0;
            while (running) {
                boolean waitingToRetry = backoffMs > 0 && System.nanoTime() < retryAtNanos;
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(waitingToRetry ? 100 : 50));
                } catch (WakeupException e) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    add(record);
                }
                if (waitingToRetry || !batch.due(System.nanoTime())) {
                    continue;
                }
                if (flush()) {
                    backoffMs = 0;
                    consumer.resume(consumer.paused());
                } else {
                    backoffMs = backoffMs == 0 ? 100 : Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
                    retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
                    consumer.pause(consumer.assignment());
                }
            }
            if (!batch.isEmpty()) {
                flush();
            }
        } catch (RuntimeException e) {
            LOG.error("event=loader_failed error=\"{}\"", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    private void add(ConsumerRecord<byte[], byte[]> record) {
        StoredEvent event = null;
        try {
            event = StoredEventJson.decode(record.value());
        } catch (IOException | RuntimeException e) {
            undecodable.increment();
            LOG.warn("event=undecodable_record partition={} offset={}", record.partition(), record.offset());
        }
        batch.add(event, record.partition(), record.offset(), record.serializedValueSize(), record.timestamp(),
                System.nanoTime());
    }

    /** @return true when the batch is committed (or empty), false when it must be retried */
    private boolean flush() {
        try {
            long inserted = writer.write(batch.events(), KafkaConfig.EVENTS_TOPIC, batch.nextOffsets());
            long now = System.currentTimeMillis();
            for (StoredEvent e : batch.events()) {
                freshness.record(Math.max(0, now - e.receivedAt()), TimeUnit.MILLISECONDS);
            }
            rowsWritten.increment(inserted);
            lastWriteMs = now;
            commitToKafkaForInformation();
            batch.clear();
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.warn("event=batch_write_failed rows={} error=\"{}\"", batch.events().size(), firstLine(e.getMessage()));
            return false;
        }
    }

    /**
     * The warehouse holds the real offsets; committing them to Kafka as well lets standard tools (and
     * {@code footfall bench}) show the loader's lag. Never read back.
     */
    private void commitToKafkaForInformation() {
        // The consumer's position, not the last record's offset + 1: with exactly-once upstream the log ends
        // in transaction markers, which a read_committed consumer steps over but never returns as records.
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets = new HashMap<>();
        for (Integer partition : batch.nextOffsets().keySet()) {
            TopicPartition tp = new TopicPartition(KafkaConfig.EVENTS_TOPIC, partition);
            offsets.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(consumer.position(tp)));
        }
        consumer.commitAsync(offsets, null);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Seeks every newly assigned partition to the offset stored in the warehouse. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            batch.dropPartitions(partitions.stream().map(TopicPartition::partition).toList());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            batch.clear();
            Map<Integer, Long> stored;
            try {
                stored = writer.storedOffsets(KafkaConfig.EVENTS_TOPIC);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read stored offsets: " + firstLine(e.getMessage()), e);
            }
            for (TopicPartition tp : partitions) {
                Long offset = stored.get(tp.partition());
                if (offset != null) {
                    consumer.seek(tp, offset);
                } else {
                    consumer.seekToBeginning(List.of(tp));
                }
            }
            LOG.info("event=partitions_assigned count={}", partitions.size());
        }
    }

    /** Wall-clock time of the last committed batch, 0 before the first. */
    public long lastWriteMs() {
        return lastWriteMs;
    }

    public boolean running() {
        return thread.isAlive();
    }

    /** Stops consuming, writes the open batch, and waits for the loader thread to finish. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                LOG.warn("event=loader_stop_timeout");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("event=loader_stopped");
    }
}
