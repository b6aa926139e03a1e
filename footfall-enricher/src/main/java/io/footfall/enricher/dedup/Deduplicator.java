package io.footfall.enricher.dedup;

import io.footfall.enricher.pipeline.PipelineState;
import java.time.Duration;

/**
 * Drops an event whose {@code event_id} was already seen within the window, so that client retries (the
 * collector answered, the answer got lost, the client sent again) and overlapping replays count once.
 *
 * <p>Event time is the collector's receive time: a retry arrives seconds to minutes after the original, a
 * replayed day carries its original receive times. Ids are keyed per task, which is enough because a retry
 * carries the same site, IP and user agent and so the same visitor key and partition; the loader's primary
 * key on {@code event_id} catches the rest.
 */
public final class Deduplicator {

    private final long windowMs;

    public Deduplicator(Duration window) {
        this.windowMs = window.toMillis();
    }

    /** @return true for the first sighting (and records it), false for a duplicate */
    public boolean firstSighting(String eventId, long receivedAtMs, PipelineState.SeenIds seen) {
        if (seen.contains(eventId, receivedAtMs, windowMs)) {
            return false;
        }
        seen.add(eventId, receivedAtMs, windowMs);
        return true;
    }

    public long windowMs() {
        return windowMs;
    }
}
