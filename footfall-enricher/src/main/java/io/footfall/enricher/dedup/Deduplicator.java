package io.footfall.enricher.dedup;

import io.footfall.enricher.pipeline.PipelineState;
import java.time.Duration;

/**
 * Drops an event whose {@code event_id} was already seen within the window, so that client retries (the
 * collector answered, the answer got lost, the client sent again) and overlapping replays count once.
 *
 * <p>Event time is the collector's receive time: a retry arrives seconds to minutes after the original, a
 * replayed day carries its original receive times. Ids are remembered per visitor, in the visitor's state
 * record ({@link RecentIds}), which the session step reads and writes for every event anyway: a retry
 * carries the same site, visitor id (or IP and user agent) and so the same visitor and partition. A visitor
 * with more than {@link #CAPACITY} ids within the window (a server sending on behalf of many users from one
 * address, a crawler) overflows into a store keyed by id hash, searched only for that visitor. A retry that
 * crosses the salt's midnight finds its visitor while the session goes on (it is within the session timeout of
 * the original); what this misses — a later retry across midnight gets another cookieless visitor id — the
 * loader's primary key on {@code event_id} catches.
 */
public final class Deduplicator {

    /** Ids kept in a visitor's own record (12 bytes each) before the oldest go to the overflow store. */
    public static final int CAPACITY = 64;

    private final long windowMs;

    public Deduplicator(Duration window) {
        this.windowMs = window.toMillis();
    }

    /**
     * @param ids      the visitor's recent ids; recorded into when this is a first sighting
     * @param overflow where ids beyond {@link #CAPACITY} go
     * @return true for the first sighting (and records it), false for a duplicate
     */
    public boolean firstSighting(String eventId, long receivedAtMs, RecentIds ids, PipelineState.SeenIds overflow) {
        long hash = RecentIds.hash(eventId);
        if (ids.contains(hash, receivedAtMs, windowMs)
                || ids.spilledAt(receivedAtMs) && overflow.contains(RecentIds.key(hash), receivedAtMs, windowMs)) {
            return false;
        }
        RecentIds.Evicted evicted = ids.add(hash, receivedAtMs, windowMs, CAPACITY);
        if (evicted != null) {
            overflow.add(RecentIds.key(evicted.hash()), evicted.timeMs(), windowMs);
        }
        return true;
    }

    public long windowMs() {
        return windowMs;
    }
}
