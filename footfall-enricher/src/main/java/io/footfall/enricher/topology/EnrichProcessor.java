package io.footfall.enricher.topology;

import io.footfall.core.event.BadEvent;
import io.footfall.core.event.VisitorKey;
import io.footfall.core.json.BadEventJson;
import io.footfall.core.json.StoredEventJson;
import io.footfall.enricher.pipeline.EnrichmentPipeline;
import io.footfall.enricher.pipeline.Outcome;
import io.footfall.enricher.pipeline.PipelineState;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the {@link EnrichmentPipeline} in Kafka Streams: state in changelogged stores, output to the
 * events or bad sink, and a once-a-minute punctuator that expires idle sessions and destroys old salts.
 * Anything a record causes becomes a {@code footfall.bad} record, so no record stops the partition; a
 * failure of the state stores is rethrown as Streams' own exception, so the task fails and its record is
 * retried from the last committed transaction instead of being skipped.
 */
final class EnrichProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(EnrichProcessor.class);
    static final Duration EXPIRY_INTERVAL = Duration.ofMinutes(1);
    /** The {@code footfall.bad} reason of a gap in {@code footfall.raw}'s offsets (records lost before enrichment). */
    static final String EXPIRED_REASON = "records_expired_before_enrichment";

    private final EnrichmentPipeline pipeline;
    private final Clock clock;
    private final boolean dedup;
    private final long dedupWindowMs;
    private final LongAdder expiredRecords;
    private ProcessorContext<byte[], byte[]> context;
    private StreamsState state;
    private RawPositions positions;
    private Cancellable idleKeeper;
    /** Newest receive time processed by this task; with the clock it bounds session expiry. */
    private long newestReceivedMs;

    EnrichProcessor(EnrichmentPipeline pipeline, Clock clock, boolean dedup, Duration dedupWindow,
                    LongAdder expiredRecords) {
        this.pipeline = pipeline;
        this.clock = clock;
        this.dedup = dedup;
        this.dedupWindowMs = dedupWindow.toMillis();
        this.expiredRecords = expiredRecords;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        KeyValueStore<String, byte[]> sessions = context.getStateStore(EnricherTopology.SESSION_STORE);
        KeyValueStore<String, byte[]> salts = context.getStateStore(EnricherTopology.SALT_STORE);
        WindowStore<String, byte[]> seen = dedup ? context.getStateStore(EnricherTopology.SEEN_IDS_STORE) : null;
        this.state = new StreamsState(sessions, salts, seen);
        this.positions = new RawPositions(context.getStateStore(EnricherTopology.RAW_POSITIONS_STORE));
        pipeline.stateReplaced();
        context.schedule(EXPIRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, ignored -> expire());
        if (dedup) {
            // A task without records writes no keeper in process(): one second after the start it gets one
            // (stores take writes in a punctuation, not here in init), so that its restart is clean as well.
            idleKeeper = context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, ignored -> {
                onStores(state::keepSeenIdsSegmentIfIdle);
                idleKeeper.cancel();
            });
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        context.recordMetadata().ifPresent(this::checkPosition);
        Outcome outcome;
        try {
            outcome = pipeline.process(record.value(), state);
        } catch (PipelineState.StateException e) {
            // Streams' own exception (task migrated, store closed, RocksDB error): the task is retried.
            throw e.getCause();
        }
        if (outcome.stored() != null) {
            newestReceivedMs = Math.max(newestReceivedMs, outcome.stored().receivedAt());
            if (dedup) {
                long receivedAt = outcome.stored().receivedAt();
                onStores(() -> state.keepSeenIdsSegment(receivedAt, dedupWindowMs));
            }
            byte[] key = VisitorKey.of(outcome.stored().site(), outcome.stored().visitorId(), null, null);
            context.forward(new Record<>(key, StoredEventJson.encode(outcome.stored()), record.timestamp()),
                    EnricherTopology.EVENTS_SINK);
        } else if (outcome.bad() != null) {
            context.forward(new Record<>(record.key(), BadEventJson.encode(outcome.bad()), record.timestamp()),
                    EnricherTopology.BAD_SINK);
        }
    }

    /**
     * Counts, logs and reports to {@code footfall.bad} the offsets of {@code footfall.raw} skipped just before this
     * record: events lost before the enricher read them. The bad record goes out in this task's transaction, so exactly
     * once; the count and the line come again if the transaction aborts and the task is redone.
     */
    private void checkPosition(RecordMetadata record) {
        long skipped = positions.arrived(record.partition(), record.offset());
        if (skipped == 0) {
            return;
        }
        long first = record.offset() - skipped;
        expiredRecords.add(skipped);
        LOG.warn("event=records_expired_before_enrichment task={} partition={} first_missing_offset={} next_offset={}"
                + " lost={} reason=\"deleted by footfall.raw's retention before the enricher read them, or skipped by"
                + " an offset reset\"", context.taskId(), record.partition(), first, record.offset(), skipped);
        String detail = "footfall.raw partition " + record.partition() + ": " + skipped + " records (offsets " + first
                + " to " + (record.offset() - 1) + ") were gone before the enricher read them (the topic's retention,"
                + " or an offset reset)";
        BadEvent lost = new BadEvent("enrich", EXPIRED_REASON, detail, null, null, clock.millis());
        context.forward(new Record<>(null, BadEventJson.encode(lost), clock.millis()), EnricherTopology.BAD_SINK);
    }

    /** A write of the processor's own to the stores; a failure there is Streams' own, and the task is retried. */
    private static void onStores(Runnable write) {
        try {
            write.run();
        } catch (PipelineState.StateException e) {
            throw e.getCause();
        }
    }

    private void expire() {
        if (newestReceivedMs == 0) {
            // Nothing processed since (re)start: no evidence of how far event time has come.
            return;
        }
        EnrichmentPipeline.Expired expired = pipeline.expire(state, Math.min(clock.millis(), newestReceivedMs));
        if (expired.sessions() > 0 || expired.salts() > 0) {
            LOG.debug("event=state_expired task={} sessions={} salts={}", context.taskId(), expired.sessions(),
                    expired.salts());
        }
    }
}
