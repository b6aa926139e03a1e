package io.footfall.enricher.pipeline;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * {@link PipelineState} in plain maps, for {@code replay} and tests. Sessions and salts are bounded by the
 * events given and by {@link EnrichmentPipeline#expire}; event ids are forgotten once they are older than
 * {@code seenIdsRetentionMs} behind the newest one recorded.
 */
public final class InMemoryState implements PipelineState {

    private final MapStore sessions = new MapStore();
    private final MapStore salts = new MapStore();
    private final MemorySeenIds seenIds;

    /** Remembers event ids for 24 hours of event time, the default dedup window. */
    public InMemoryState() {
        this(24L * 3600 * 1000);
    }

    public InMemoryState(long seenIdsRetentionMs) {
        this.seenIds = new MemorySeenIds(seenIdsRetentionMs);
    }

    @Override
    public Store sessions() {
        return sessions;
    }

    @Override
    public Store salts() {
        return salts;
    }

    @Override
    public SeenIds seenIds() {
        return seenIds;
    }

    /** Entries in the session store (tests, replay reports). */
    public int sessionCount() {
        return sessions.map.size();
    }

    /** Entries in the salt store (tests). */
    public int saltCount() {
        return salts.map.size();
    }

    private static final class MapStore implements Store {
        private final Map<String, byte[]> map = new HashMap<>();

        @Override
        public byte[] get(String key) {
            return map.get(key);
        }

        @Override
        public void put(String key, byte[] value) {
            map.put(key, value);
        }

        @Override
        public void delete(String key) {
            map.remove(key);
        }

        @Override
        public int deleteIf(BiPredicate<String, byte[]> expired) {
            int deleted = 0;
            for (Iterator<Map.Entry<String, byte[]>> it = map.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, byte[]> e = it.next();
                if (expired.test(e.getKey(), e.getValue())) {
                    it.remove();
                    deleted++;
                }
            }
            return deleted;
        }
    }

    /** Ids with their record time, plus a queue in record order so the oldest are dropped first. */
    private static final class MemorySeenIds implements SeenIds {
        private record Seen(String id, long timeMs) {
        }

        private final long retentionMs;
        private final Map<String, Long> times = new HashMap<>();
        private final ArrayDeque<Seen> order = new ArrayDeque<>();
        private long newestMs = Long.MIN_VALUE;

        MemorySeenIds(long retentionMs) {
            this.retentionMs = retentionMs;
        }

        @Override
        public boolean contains(String eventId, long timeMs, long windowMs) {
            Long seen = times.get(eventId);
            return seen != null && Math.abs(timeMs - seen) <= windowMs;
        }

        @Override
        public void add(String eventId, long timeMs) {
            times.put(eventId, timeMs);
            order.add(new Seen(eventId, timeMs));
            newestMs = Math.max(newestMs, timeMs);
            while (!order.isEmpty() && order.peek().timeMs() < newestMs - retentionMs) {
                Seen old = order.poll();
                times.remove(old.id(), old.timeMs());
            }
        }
    }
}
