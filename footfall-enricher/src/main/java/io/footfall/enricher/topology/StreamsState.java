package io.footfall.enricher.topology;

import io.footfall.enricher.pipeline.PipelineState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/** The pipeline's state over one task's Streams stores: changelogged, so exactly once with the output. */
final class StreamsState implements PipelineState {

    private static final byte[] SEEN = new byte[0];

    /** Never an id hash (those are hex): the seen-ids entry that keeps a segment, see {@link Windowed#keepSegment}. */
    static final String SEGMENT_KEEPER = "~segment";

    private final Store sessions;
    private final Store salts;
    private final Windowed seenIds;

    StreamsState(KeyValueStore<String, byte[]> sessions, KeyValueStore<String, byte[]> salts,
                 WindowStore<String, byte[]> seenIds) {
        this.sessions = new KeyValue(sessions);
        this.salts = new KeyValue(salts);
        this.seenIds = seenIds == null ? null : new Windowed(seenIds);
    }

    @Override
    public Store sessions() {
        return sessions;
    }

    @Override
    public Store salts() {
        return salts;
    }

    /** See {@link Windowed#keepSegment}; nothing to do without id deduplication. */
    void keepSeenIdsSegment(long timeMs, long windowMs) {
        if (seenIds != null) {
            seenIds.keepSegment(timeMs, windowMs);
        }
    }

    /**
     * For a task that has had no record since it started: a keeper at time 0, the oldest there is, so that it
     * makes a segment in an empty store without moving the store's stream time (a put older than the store
     * keeps is dropped: then the store already has newer segments).
     */
    void keepSeenIdsSegmentIfIdle() {
        if (seenIds != null && seenIds.keptBucket == Long.MIN_VALUE) {
            seenIds.keepSegment(0, 1);
        }
    }

    @Override
    public SeenIds seenIds() {
        if (seenIds == null) {
            return PipelineState.super.seenIds();
        }
        return seenIds;
    }

    /** Runs a store operation; a failure there is the state's, never the record's. */
    private static <T> T guarded(java.util.function.Supplier<T> operation) {
        try {
            return operation.get();
        } catch (RuntimeException e) {
            throw new StateException(e);
        }
    }

    private record KeyValue(KeyValueStore<String, byte[]> store) implements Store {
        @Override
        public byte[] get(String key) {
            return guarded(() -> store.get(key));
        }

        @Override
        public void put(String key, byte[] value) {
            guarded(() -> {
                store.put(key, value);
                return null;
            });
        }

        @Override
        public void delete(String key) {
            guarded(() -> store.delete(key));
        }

        @Override
        public int deleteIf(BiPredicate<String, byte[]> expired) {
            List<String> doomed = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> all = store.all()) {
                while (all.hasNext()) {
                    org.apache.kafka.streams.KeyValue<String, byte[]> entry = all.next();
                    if (expired.test(entry.key, entry.value)) {
                        doomed.add(entry.key);
                    }
                }
            }
            doomed.forEach(store::delete);
            return doomed.size();
        }
    }

    /**
     * The overflow of visitors' own id lists ({@link io.footfall.enricher.dedup.Deduplicator}): id hashes in a
     * window store, each put at the start of the window-sized bucket its receive time falls in. A lookup is two point gets (this bucket and the one before), not a range scan: a range fetch opens
     * a RocksDB iterator per segment and measured ~45 µs per event, the gets a few µs. So an id is found for
     * between one and two windows after it was seen. RocksDB segments older than the store's retention (two
     * windows) are dropped whole as stream time advances: that is the expiry, without a scan.
     */
    private static final class Windowed implements SeenIds {

        private final WindowStore<String, byte[]> store;
        private long keptBucket = Long.MIN_VALUE;

        Windowed(WindowStore<String, byte[]> store) {
            this.store = store;
        }

        /**
         * Keeps a segment in the store for the window of {@code timeMs}: one entry per window and task. Kafka
         * Streams 4.4 reads a window store's changelog offset from its segments (KIP-1035), so a store with none
         * (no visitor overflowed in two windows, the usual case) has no offset after a clean stop; under
         * exactly-once the task then counts as corrupted, and every start wiped the whole task's state (the
         * visitors' records too) and replayed the changelogs, logging a TaskCorruptedException.
         */
        void keepSegment(long timeMs, long windowMs) {
            long bucket = bucket(timeMs, windowMs);
            if (bucket > keptBucket) {
                guarded(() -> {
                    store.put(SEGMENT_KEEPER, SEEN, bucket);
                    return null;
                });
                keptBucket = bucket;
            }
        }

        @Override
        public boolean contains(String eventId, long timeMs, long windowMs) {
            long bucket = bucket(timeMs, windowMs);
            return guarded(() -> store.fetch(eventId, bucket) != null
                    || (bucket >= windowMs && store.fetch(eventId, bucket - windowMs) != null));
        }

        @Override
        public void add(String eventId, long timeMs) {
            throw new UnsupportedOperationException("add(eventId, timeMs, windowMs) is the window store's form");
        }

        @Override
        public void add(String eventId, long timeMs, long windowMs) {
            guarded(() -> {
                store.put(eventId, SEEN, bucket(timeMs, windowMs));
                return null;
            });
        }

        private static long bucket(long timeMs, long windowMs) {
            return timeMs - Math.floorMod(timeMs, windowMs);
        }
    }
}
