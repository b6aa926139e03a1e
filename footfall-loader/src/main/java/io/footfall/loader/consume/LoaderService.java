package io.footfall.loader.consume;

import io.footfall.core.config.KafkaConfig;
import io.footfall.core.config.LoaderConfig;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.json.StoredEventJson;
import io.footfall.loader.warehouse.OffsetCommit;
import io.footfall.loader.warehouse.StaleBatchException;
import io.footfall.loader.warehouse.WarehouseWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code footfall.events} and writes batches exactly once. The warehouse holds the offsets: on
 * every assignment the consumer seeks to them, and Kafka's committed offsets are never used. A batch that
 * fails to write is retried with exponential backoff while every partition is paused, so a warehouse outage
 * turns into lag, not memory. A partition whose stored offset cannot be read yet stays paused until it can.
 *
 * <p>Two threads, one batch each: the consumer thread polls, decodes and fills the open batch while the writer
 * thread writes the batch before it, so decoding overlaps the warehouse transaction. At most one batch is being
 * written (or waits for its retry) and at most one is open, so the loader holds two batches at most. Every
 * consumer call stays on the consumer thread; the writer thread only calls the warehouse and
 * {@code footfall.bad}. A batch is handed over only once the one before it has committed, so its offsets start
 * where the warehouse's stored ones end; a batch that is dropped (stale, or its partitions revoked) takes the
 * open batch with it, and every partition is read again from its stored offset.
 */
public final class LoaderService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoaderService.class);
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = Duration.ofSeconds(30).toMillis();
    private static final long IDLE_COMMIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private enum FlushResult { COMMITTED, STALE, FAILED }

    private final LoaderConfig config;
    private final WarehouseWriter writer;
    private final Clock clock;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final BadRecords bad;
    private final Thread thread;
    /** Guards starting {@link #thread} against closing a loader that never started. */
    private final Object lifecycle = new Object();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Counter rowsWritten;
    private final Counter rowsRejected;
    private final Counter staleBatches;
    private final Counter failedWrites;
    private final Counter expiredRecords;
    private final Timer freshness;
    private final Timer writes;
    private final DistributionSummary batchSizes;
    /** The batch the consumer thread fills. */
    private volatile Batch open;
    /**
     * The batch handed to the writer thread: being written ({@link #inFlight} not null) or, after a failed
     * write, waiting for its retry; null when none. Its offsets were taken when it was handed over.
     */
    private volatile Batch writing;
    private List<OffsetCommit> writingOffsets;
    /** The empty batch that the next hand-over makes the open one. */
    private Batch spare;
    private Future<Long> inFlight;
    private final ExecutorService writerThread;
    /** Per assigned partition: the offset stored in the warehouse as this loader last saw it. */
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    /** Assigned partitions not yet positioned at their stored offset (kept paused). */
    private final Set<TopicPartition> unpositioned = new HashSet<>();
    /**
     * Partitions whose next record the topic's retention deleted while this loader ran (it fell behind for longer than
     * the topic keeps records): kept paused until no batch holds a record of them, then positioned again from the
     * stored offset, which counts and records the loss as at start-up.
     */
    private final Set<TopicPartition> expiring = new HashSet<>();
    private final PartitionLag lag;
    /** Per assigned partition: the position last committed to Kafka for information. */
    private final Map<TopicPartition, Long> toldKafka = new HashMap<>();
    private long idleCommitAtNanos;
    private volatile boolean running = true;
    /** " writer=N" in the log lines of one of several loaders in the process, empty for a lone one. */
    private final String writerTag;
    /** Why the loop ended on its own, if it did; told to {@link #onFailure}'s listener. */
    private volatile String failure;
    private volatile Consumer<String> failureListener;
    /** Partitions assigned, written on the consumer thread only. */
    private volatile int owned;
    private volatile long lastWriteMs;
    private long backoffMs;
    /** The handed-over batch failed to write and waits for its retry: every partition stays paused. */
    private boolean writeFailing;
    private long retryAtNanos;

    public LoaderService(KafkaConfig kafka, LoaderConfig config, WarehouseWriter writer, MeterRegistry registry) {
        this(kafka, config, writer, registry, Clock.systemUTC());
    }

    public LoaderService(KafkaConfig kafka, LoaderConfig config, WarehouseWriter writer, MeterRegistry registry,
                         Clock clock) {
        this(kafka, config, writer, registry, clock, new PartitionLag(registry), "");
        Gauge.builder("footfall.loader.batch.records", this, LoaderService::heldRecords)
                .description(HELD_RECORDS)
                .register(registry);
    }

    /**
     * One of the process's {@link Loaders}: {@code lag} shared with the others, {@code name} telling its threads
     * apart; the held-records gauge is theirs together.
     */
    LoaderService(KafkaConfig kafka, LoaderConfig config, WarehouseWriter writer, MeterRegistry registry, Clock clock,
                  PartitionLag lag, String name) {
        this.config = config;
        this.writer = writer;
        this.clock = clock;
        this.lag = lag;
        this.consumer = new KafkaConsumer<>(consumerProperties(kafka, config),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            this.bad = new BadRecords(kafka);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        this.open = newBatch(config);
        this.spare = newBatch(config);
        this.writerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "footfall-loader-writer" + name));
        this.rowsWritten = Counter.builder("footfall.loader.rows.written").description("new rows committed")
                .register(registry);
        this.rowsRejected = Counter.builder("footfall.loader.rows.rejected")
                .description("records of footfall.events sent to footfall.bad instead of the warehouse").register(registry);
        this.staleBatches = Counter.builder("footfall.loader.batches.stale")
                .description("batches refused because another loader committed their partitions first").register(registry);
        this.failedWrites = Counter.builder("footfall.loader.batches.failed")
                .description("batch writes that failed and were retried after a backoff").register(registry);
        this.expiredRecords = Counter.builder("footfall.loader.records.expired")
                .description("offsets of footfall.events the topic's retention deleted before they reached the warehouse (the"
                        + " enricher's transaction markers among them: the events lost are fewer)")
                .register(registry);
        this.freshness = Timer.builder("footfall.loader.freshness")
                .description("time from a record's broker timestamp to its batch being committed")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(10))
                // Exact bucket bounds around the 1 s freshness target, beside the coarse percentile buckets.
                .serviceLevelObjectives(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofMillis(750),
                        Duration.ofSeconds(1), Duration.ofMillis(1500), Duration.ofSeconds(2), Duration.ofSeconds(5))
                .register(registry);
        this.writes = Timer.builder("footfall.loader.batch.write")
                .description("time to write one batch, its sessions and its offsets in one warehouse transaction")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(1))
                .serviceLevelObjectives(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
                        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2))
                .register(registry);
        this.batchSizes = DistributionSummary.builder("footfall.loader.batch.size")
                .description("records per committed batch (above loader.batchEvents while catching up)")
                .baseUnit("records").serviceLevelObjectives(1_000, 5_000, 10_000, 20_000, 50_000, 100_000)
                .register(registry);
        this.thread = new Thread(this::run, "footfall-loader" + name);
        this.writerTag = name.isEmpty() ? "" : " writer=" + name.substring(1);
    }

    static final String HELD_RECORDS =
            "records held in the open batch and the one being written (each bounded by loader.catchUpEvents)";

    private static Batch newBatch(LoaderConfig config) {
        return new Batch(config.batchEvents(), config.batchBytes(), config.batchDelay().toNanos(),
                config.catchUpEvents(), config.catchUpBytes());
    }

    /** For the gauge, read from another thread: a moment's figure, not a consistent one. */
    double heldRecords() {
        Batch w = writing;
        Batch o = open;
        return (o == null ? 0 : o.records()) + (w == null ? 0 : w.records());
    }

    static Map<String, Object> consumerProperties(KafkaConfig kafka, LoaderConfig config) {
        Map<String, Object> p = new HashMap<>(kafka.clientProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // No reset of its own: a position the log no longer holds is the loop's to handle (outOfRange).
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(config.batchEvents(), 5000));
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        // After a crash the dead member holds its partitions until its session expires: 10 s, not 45 s.
        p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);
        return p;
    }

    /** Migrates the schema and starts consuming on the loader's own thread. */
    public void start() throws SQLException {
        writer.migrate();
        startConsuming();
    }

    /** Starts consuming, the schema already migrated. */
    void startConsuming() {
        synchronized (lifecycle) {
            thread.start();
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(KafkaConfig.EVENTS_TOPIC), new Rebalance());
            while (running) {
                finishWrite(false);
                repositionExpired();
                boolean waiting = backoffMs > 0 && System.nanoTime() < retryAtNanos;
                if (!waiting && !unpositioned.isEmpty()) {
                    position();
                }
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(waiting ? 100 : 50));
                } catch (WakeupException e) {
                    break;
                } catch (OffsetOutOfRangeException e) {
                    outOfRange(e.offsetOutOfRangePartitions());
                    continue;
                } catch (NoOffsetForPartitionException e) {
                    // Partitions paused before their stored offsets could be read, in a group that never told Kafka an
                    // offset: a place to stand until position() seeks them (paused, nothing is fetched from there).
                    consumer.seekToBeginning(e.partitions());
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    add(record);
                }
                lag.refresh(consumer, committed, drained(), System.nanoTime());
                commitIdlePositions(System.nanoTime());
                if (waiting) {
                    continue;
                }
                if (writeFailing) {
                    if (inFlight == null) {
                        startWrite();
                    }
                    continue;
                }
                if (!open.due(System.nanoTime(), behind())) {
                    continue;
                }
                // The next batch is due: the one before it finishes first.
                finishWrite(true);
                if (writing == null && !open.isEmpty()) {
                    handOver();
                }
            }
            finishWrite(true);
            if (writing == null && !open.isEmpty() && backoffMs == 0) {
                handOver();
                finishWrite(true);
            }
        } catch (RuntimeException e) {
            LOG.error("event=loader_failed{} error=\"{}\"", writerTag, e.toString());
            failure = (writerTag.isEmpty() ? "" : writerTag.trim() + ": ") + e;
            Consumer<String> listener = failureListener;
            if (listener != null) {
                listener.accept(failure);
            }
        } finally {
            awaitQuietly();
            writerThread.shutdownNow();
            consumer.close(Duration.ofSeconds(5));
            bad.close();
            stopped.countDown();
        }
    }

    /** Makes the open batch the one being written, with its offsets from the stored ones, and starts the write. */
    private void handOver() {
        List<OffsetCommit> offsets = new ArrayList<>(open.nextOffsets().size());
        for (Map.Entry<Integer, Long> next : open.nextOffsets().entrySet()) {
            TopicPartition tp = new TopicPartition(KafkaConfig.EVENTS_TOPIC, next.getKey());
            offsets.add(new OffsetCommit(next.getKey(), committed.getOrDefault(tp, OffsetCommit.NONE), next.getValue()));
        }
        writing = open;
        writingOffsets = offsets;
        open = spare;
        spare = null;
        startWrite();
    }

    /** Writes (or writes again) the handed-over batch on the writer thread. */
    private void startWrite() {
        Batch batch = writing;
        List<OffsetCommit> offsets = writingOffsets;
        inFlight = writerThread.submit(() -> write(batch, offsets));
    }

    /** On the writer thread: the batch's refused records to {@code footfall.bad}, then its rows and offsets. */
    private long write(Batch batch, List<OffsetCommit> offsets) throws SQLException {
        if (!batch.rejected().isEmpty()) {
            bad.sendAll(batch.rejected());
            rowsRejected.increment(batch.rejected().size());
            batch.rejectedSent();
        }
        long writeStart = System.nanoTime();
        long inserted = writer.write(batch.events(), KafkaConfig.EVENTS_TOPIC, offsets);
        writes.record(System.nanoTime() - writeStart, TimeUnit.NANOSECONDS);
        return inserted;
    }

    /**
     * Takes the result of the write in flight, if there is one and it is done (or, with {@code wait}, once it
     * is), and acts on it on the consumer thread.
     */
    private void finishWrite(boolean wait) {
        if (inFlight == null || (!wait && !inFlight.isDone())) {
            return;
        }
        FlushResult result;
        try {
            recordCommit(awaitUninterruptibly(inFlight));
            result = FlushResult.COMMITTED;
        } catch (ExecutionException e) {
            result = failed(e.getCause());
        } finally {
            inFlight = null;
        }
        afterFlush(result);
    }

    private FlushResult failed(Throwable cause) {
        if (cause instanceof StaleBatchException) {
            staleBatches.increment();
            LOG.warn("event=stale_batch_refused{} records={} reason=\"{}\"", writerTag, writing.records(),
                    cause.getMessage());
            return FlushResult.STALE;
        }
        if (cause instanceof SQLException || cause instanceof KafkaException || cause instanceof IllegalStateException) {
            failedWrites.increment();
            LOG.warn("event=batch_write_failed{} records={} retry_in_ms={} error=\"{}\"", writerTag, writing.records(),
                    backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(backoffMs * 2, MAX_BACKOFF_MS), firstLine(cause.getMessage()));
            return FlushResult.FAILED;
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        throw new IllegalStateException("batch write failed", cause);
    }

    /** Book-keeping of a committed batch: metrics, the stored offsets as this loader now knows them, Kafka told. */
    private void recordCommit(long inserted) {
        batchSizes.record(writing.records());
        long now = clock.millis();
        for (long timestampMs : writing.timestampsMs()) {
            freshness.record(Math.max(0, now - timestampMs), TimeUnit.MILLISECONDS);
        }
        for (OffsetCommit offset : writingOffsets) {
            committed.put(new TopicPartition(KafkaConfig.EVENTS_TOPIC, offset.partition()), offset.next());
        }
        rowsWritten.increment(inserted);
        lastWriteMs = now;
        commitToKafkaForInformation(writing.nextOffsets().keySet().stream()
                .map(p -> new TopicPartition(KafkaConfig.EVENTS_TOPIC, p)).toList());
        releaseWriting();
    }

    private void releaseWriting() {
        writing.clear();
        spare = writing;
        writing = null;
        writingOffsets = null;
    }

    /** Forgets both batches (nothing of them is stored); the caller has every partition read again. */
    private void dropBatches() {
        open.clear();
        if (writing != null) {
            releaseWriting();
        }
        writeFailing = false;
    }

    private static long awaitUninterruptibly(Future<Long> future) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * On the way out: a write still in flight may finish. Its outcome needs no handling: committed, its rows and
     * offsets are stored together; not, the next start reads its records again from the stored offsets.
     */
    private void awaitQuietly() {
        if (inFlight != null) {
            try {
                inFlight.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // see above: nothing to do with it on shutdown
            }
        }
    }

    private void afterFlush(FlushResult result) {
        switch (result) {
            case COMMITTED -> {
                backoffMs = 0;
                writeFailing = false;
                consumer.resume(positioned());
            }
            case STALE -> {
                // Another loader committed these partitions: forget both batches, re-read the stored offsets.
                dropBatches();
                backoffMs = 0;
                unpositioned.addAll(consumer.assignment());
                expiring.clear();
                consumer.pause(consumer.assignment());
                position();
            }
            case FAILED -> {
                writeFailing = true;
                backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(backoffMs * 2, MAX_BACKOFF_MS);
                retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
                consumer.pause(consumer.assignment());
            }
        }
    }

    /**
     * Whether a whole catch-up batch waits on the broker, going by the lag each partition's last fetch
     * reported (no request): then the open batch grows to the catch-up limits from records that are already
     * there. A smaller backlog, or a loader that keeps up, gets normal batches and the deadline: a catch-up
     * batch never waits for events still to come.
     */
    private boolean behind() {
        if (config.catchUpEvents() <= config.batchEvents() && config.catchUpBytes() <= config.batchBytes()) {
            return false;
        }
        long waiting = 0;
        for (TopicPartition tp : positioned()) {
            waiting += consumer.currentLag(tp).orElse(0);
        }
        return waiting >= config.catchUpEvents();
    }

    /** Positioned partitions with no record in either batch: everything read from them is stored. */
    private Set<TopicPartition> drained() {
        Set<TopicPartition> drained = positioned();
        drained.removeIf(tp -> holdsAny(List.of(tp.partition())));
        return drained;
    }

    private boolean holdsAny(List<Integer> partitions) {
        return open.holdsAny(partitions) || (writing != null && writing.holdsAny(partitions));
    }

    private Set<TopicPartition> positioned() {
        Set<TopicPartition> ready = new HashSet<>(consumer.assignment());
        ready.removeAll(unpositioned);
        ready.removeAll(expiring);
        return ready;
    }

    private void add(ConsumerRecord<byte[], byte[]> record) {
        long now = System.nanoTime();
        StoredEvent event;
        try {
            event = StoredEventJson.decode(record.value());
        } catch (IOException | RuntimeException e) {
            open.reject(badRecord("undecodable", "the record is not a stored event", null, record), record.partition(),
                    record.offset(), record.serializedValueSize(), record.timestamp(), now);
            return;
        }
        String problem = writer.rejection(event);
        if (problem != null) {
            open.reject(badRecord(problem, "the warehouse would reject this row", event.site(), record),
                    record.partition(), record.offset(), record.serializedValueSize(), record.timestamp(), now);
        } else {
            open.add(event, record.partition(), record.offset(), record.serializedValueSize(), record.timestamp(), now);
        }
    }

    private BadEvent badRecord(String reason, String detail, String site, ConsumerRecord<byte[], byte[]> record) {
        String payload = record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
        LOG.warn("event=record_rejected reason={} partition={} offset={}", reason, record.partition(), record.offset());
        return new BadEvent("load", reason, detail, site, payload, clock.millis());
    }

    /**
     * A stored offset below the partition's first record means records the warehouse never got are gone from Kafka
     * (the loader stopped, or fell behind, for longer than the topic keeps records, or a backup older than that was
     * restored): the
     * loss is counted and said, loudly, and recorded by moving the stored offset to the first record there is, so that
     * no later positioning (a rebalance, a restart, another loader) counts it again.
     */
    private void warnOfExpiredRecords(Set<TopicPartition> partitions, Map<Integer, Long> stored) {
        List<TopicPartition> known = partitions.stream().filter(tp -> stored.get(tp.partition()) != null).toList();
        if (known.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> first;
        try {
            first = consumer.beginningOffsets(known, Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            return; // only a warning: the broker's answer is not worth a stall
        }
        List<BadEvent> losses = new ArrayList<>();
        for (TopicPartition tp : known) {
            Long start = first.get(tp);
            long at = stored.get(tp.partition());
            if (start != null && at < start && recordLoss(tp, at, start)) {
                expiredRecords.increment(start - at);
                LOG.warn("event=records_expired_before_load{} partition={} stored_offset={} first_offset={} lost_offsets={}"
                        + " reason=\"the topic's retention deleted them before they reached the warehouse\"", writerTag,
                        tp.partition(), at, start, start - at);
                losses.add(lossRecord(tp.partition(), at, start));
            }
        }
        // Not waited for: this runs in the consumer's rebalance callback. Sent after the losses were recorded, so a crash
        // in between leaves the count and the WARN lines as their only trace.
        bad.sendWithoutWaiting(losses, e -> LOG.warn("event=expired_records_not_reported{} error=\"{}\"", writerTag,
                firstLine(e.getMessage())));
    }

    /**
     * The loss as a {@code footfall.bad} record too, where the pipeline panel shows it beside the enricher's. Offsets,
     * not events: the enricher's transaction markers take offsets of {@code footfall.events} too.
     */
    private BadEvent lossRecord(int partition, long at, long start) {
        String detail = "footfall.events partition " + partition + ": " + (start - at) + " offsets (" + at + " to "
                + (start - 1) + ") were gone before the loader read them (the topic's retention); the enricher's"
                + " transaction markers among them, the events lost are fewer";
        return new BadEvent("load", "records_expired_before_load", detail, null, null, clock.millis());
    }

    /**
     * Moves the stored offset of {@code tp} from {@code at} to {@code start} (a batch of no rows, on the writer thread,
     * fenced like any other) and positions the consumer there.
     *
     * @return false when another loader had moved it already (and counted the loss); true otherwise, also when the
     *         warehouse refused (the loss is said now, and may be said again)
     */
    private boolean recordLoss(TopicPartition tp, long at, long start) {
        try {
            writerThread.submit(() -> writer.write(List.of(), KafkaConfig.EVENTS_TOPIC,
                    List.of(new OffsetCommit(tp.partition(), at, start)))).get();
            committed.put(tp, start);
            consumer.seek(tp, start);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StaleBatchException) {
                return false;
            }
            LOG.warn("event=expired_records_not_recorded{} partition={} error=\"{}\"", writerTag, tp.partition(),
                    firstLine(e.getCause().getMessage()));
            // On from the first record all the same: the next batch's offsets (from the stored one) record the move,
            // and a consumer left below the log's start would find the loss, and count it, again at once.
            consumer.seek(tp, start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /**
     * The consumer asked for offsets its partitions no longer hold. Below the first record: the topic's retention
     * deleted records this loader had not read yet; the partition waits, paused, for the batches holding its records
     * to be written, then is positioned again from the stored offset ({@link #repositionExpired}), which counts the
     * loss once. Past the last record (the topic was deleted and made again, or its log cut short): read from the
     * first record, as a new partition would be.
     */
    private void outOfRange(Map<TopicPartition, Long> asked) {
        Map<TopicPartition, Long> first;
        try {
            first = consumer.beginningOffsets(asked.keySet(), Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            first = Map.of(); // unknown: wait as for a loss; positioning from the stored offset is always right
        }
        for (Map.Entry<TopicPartition, Long> a : asked.entrySet()) {
            TopicPartition tp = a.getKey();
            Long start = first.get(tp);
            if (start == null || a.getValue() < start) {
                consumer.pause(List.of(tp));
                expiring.add(tp);
            } else {
                LOG.warn("event=offset_past_log_end{} partition={} offset={} first_offset={} reason=\"the topic was made"
                        + " again or its log cut short: reading it from its first record\"", writerTag, tp.partition(),
                        a.getValue(), start);
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }

    /** Partitions of {@link #expiring} that no batch holds a record of go to {@link #position()} again. */
    private void repositionExpired() {
        if (expiring.isEmpty()) {
            return;
        }
        List<TopicPartition> done = expiring.stream().filter(tp -> !holdsAny(List.of(tp.partition()))).toList();
        expiring.removeAll(done);
        unpositioned.addAll(done);
    }

    /** Seeks the unpositioned partitions to their stored offsets; on a warehouse error they stay paused. */
    private void position() {
        Set<TopicPartition> todo = new HashSet<>(unpositioned);
        todo.retainAll(consumer.assignment());
        unpositioned.retainAll(todo);
        if (todo.isEmpty()) {
            return;
        }
        Map<Integer, Long> stored;
        try {
            stored = writer.storedOffsets(KafkaConfig.EVENTS_TOPIC);
        } catch (SQLException | RuntimeException e) {
            consumer.pause(todo);
            backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(backoffMs * 2, MAX_BACKOFF_MS);
            retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
            LOG.warn("event=stored_offsets_unavailable partitions={} retry_in_ms={} error=\"{}\"", todo.size(), backoffMs,
                    firstLine(e.getMessage()));
            return;
        }
        for (TopicPartition tp : todo) {
            Long offset = stored.get(tp.partition());
            if (offset != null) {
                consumer.seek(tp, offset);
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
            committed.put(tp, offset == null ? OffsetCommit.NONE : offset);
        }
        warnOfExpiredRecords(todo, stored);
        unpositioned.removeAll(todo);
        if (!writeFailing) {
            backoffMs = 0;
            consumer.resume(todo);
        }
        LOG.info("event=partitions_positioned{} count={}", writerTag, todo.size());
    }

    /** The last measured lag of each partition this process's loaders own. */
    public Map<Integer, Long> lag() {
        return lag.snapshot();
    }

    /**
     * The warehouse holds the real offsets; committing them to Kafka as well lets standard tools (and
     * {@code footfall bench}) show the loader's lag. Never read back. The consumer's position, not the last
     * record's offset + 1: with exactly-once upstream the log ends in transaction markers, which a
     * read_committed consumer steps over but never returns as records. A batch can commit before the fetch
     * that steps over its partition's last marker, so an idle loader commits its positions again (at most once
     * a second) once they have moved: with nothing in the batch, everything read is stored.
     */
    private void commitToKafkaForInformation(Collection<TopicPartition> partitions) {
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long position;
            try {
                // Never waits: a partition just seeked to its beginning has no position until the next poll
                // resolves it, and a blocking lookup here could hold the loader for the API timeout (60 s).
                position = consumer.position(tp, Duration.ZERO);
            } catch (TimeoutException e) {
                continue;
            } catch (WakeupException e) {
                // close() asked the loop to stop: keep the request for the next poll, which ends the loop.
                consumer.wakeup();
                return;
            }
            if (open.holdsAny(List.of(tp.partition()))) {
                // Records read past the stored offset wait in the open batch: Kafka is told the stored offset,
                // never more, so that a loader that takes the partition over while the warehouse is down shows
                // at least the real lag from it (PartitionLag).
                Long stored = committed.get(tp);
                if (stored == null || stored == OffsetCommit.NONE) {
                    continue;
                }
                position = Math.min(position, stored);
            }
            Long told = toldKafka.get(tp);
            if (told == null || position > told) {
                offsets.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(position));
                toldKafka.put(tp, position);
            }
        }
        if (!offsets.isEmpty()) {
            try {
                // A callback of its own: without one Kafka logs a failed commit (a broker restarting, a coordinator
                // moving) at ERROR, though nothing depends on it. Runs on this thread, in a later poll.
                consumer.commitAsync(offsets, (done, failure) -> {
                    if (failure != null) {
                        LOG.debug("event=informational_commit_failed{} error=\"{}\"", writerTag, failure.toString());
                        toldKafka.keySet().removeAll(done.keySet());
                    }
                });
            } catch (KafkaException e) {
                // Informational only; the next commit tells Kafka again.
                toldKafka.keySet().removeAll(offsets.keySet());
            }
        }
    }

    private void commitIdlePositions(long nowNanos) {
        if (!open.isEmpty() || writing != null || nowNanos - idleCommitAtNanos < IDLE_COMMIT_NANOS) {
            return;
        }
        idleCommitAtNanos = nowNanos;
        commitToKafkaForInformation(positioned());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /**
     * New partitions are paused until positioned at their stored offset; reading the offsets may fail (the
     * warehouse is down) without failing the rebalance: the loop retries. Losing a partition whose records
     * are in a batch first lets a write in flight finish, then discards both batches (unless that write
     * committed the partition's records and the open batch holds none), and the partitions kept are re-read
     * from their stored offsets.
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            finishWrite(true);
            if (holdsAny(partitions.stream().map(TopicPartition::partition).toList())) {
                dropBatches();
                unpositioned.addAll(consumer.assignment());
                expiring.clear();
                consumer.pause(consumer.assignment());
            }
            for (TopicPartition tp : partitions) {
                committed.remove(tp);
                toldKafka.remove(tp);
                unpositioned.remove(tp);
                expiring.remove(tp);
            }
            lag.forget(partitions);
            owned = Math.max(0, owned - partitions.size());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            unpositioned.addAll(partitions);
            owned += partitions.size();
            consumer.pause(partitions);
            position();
            LOG.info("event=partitions_assigned{} count={} partitions={}", writerTag, partitions.size(),
                    partitions.stream().map(TopicPartition::partition).sorted().map(String::valueOf)
                            .collect(java.util.stream.Collectors.joining(",")));
        }
    }

    /** How many partitions of {@code footfall.events} the group has given this loader. */
    public int ownedPartitions() {
        return owned;
    }

    /** Wall-clock time of the last committed batch, 0 before the first. */
    public long lastWriteMs() {
        return lastWriteMs;
    }

    public boolean running() {
        return thread.isAlive();
    }

    /**
     * Tells {@code listener} (on the loader's own thread, which ends right after: it must not wait for the
     * loader) why the loader stopped by itself, e.g. fenced out of its group; at once if it already has.
     */
    void onFailure(Consumer<String> listener) {
        failureListener = listener;
        String already = failure;
        if (already != null) {
            listener.accept(already);
        }
    }

    /** Tells the loader thread to stop (it writes its open batch first) without waiting for it. */
    void stopConsuming() {
        running = false;
        consumer.wakeup();
    }

    /** Stops consuming, writes the open batch, and waits for the loader thread to finish. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (thread.getState() == Thread.State.NEW) {
                // Never started (a migration failed, or a sibling could not be made): nothing to write.
                writerThread.shutdownNow();
                consumer.close(Duration.ZERO);
                bad.close();
                return;
            }
        }
        stopConsuming();
        try {
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                LOG.warn("event=loader_stop_timeout{}", writerTag);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("event=loader_stopped{}", writerTag);
    }
}
