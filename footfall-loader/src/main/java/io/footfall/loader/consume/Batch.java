package io.footfall.loader.consume;

import io.footfall.core.event.StoredEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events consumed since the last commit, and the offset to resume from per partition. Closes at a
 * count, a byte size or a deadline after its first event.
 */
final class Batch {

    private final int maxEvents;
    private final long maxBytes;
    private final long maxDelayNanos;
    private final List<StoredEvent> events = new ArrayList<>();
    private final Map<Integer, Long> nextOffsets = new HashMap<>();
    private long bytes;
    private long openedAtNanos;
    private long oldestTimestampMs = Long.MAX_VALUE;

    Batch(int maxEvents, long maxBytes, long maxDelayNanos) {
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.maxDelayNanos = maxDelayNanos;
    }

    /** Adds an event (or only advances the offset, for a record that is not stored: {@code event == null}). */
    void add(StoredEvent event, int partition, long offset, int sizeBytes, long timestampMs, long nowNanos) {
        if (nextOffsets.isEmpty()) {
            openedAtNanos = nowNanos;
        }
        if (event != null) {
            events.add(event);
        }
        bytes += sizeBytes;
        nextOffsets.put(partition, offset + 1);
        oldestTimestampMs = Math.min(oldestTimestampMs, timestampMs);
    }

    boolean isEmpty() {
        return nextOffsets.isEmpty();
    }

    boolean full() {
        return events.size() >= maxEvents || bytes >= maxBytes;
    }

    boolean due(long nowNanos) {
        return !isEmpty() && (full() || nowNanos - openedAtNanos >= maxDelayNanos);
    }

    List<StoredEvent> events() {
        return events;
    }

    Map<Integer, Long> nextOffsets() {
        return nextOffsets;
    }

    /** Drops the events of partitions no longer assigned to this loader; their new owner reloads them. */
    void dropPartitions(java.util.Collection<Integer> partitions) {
        if (partitions.stream().anyMatch(nextOffsets::containsKey)) {
            clear();
        }
    }

    void clear() {
        events.clear();
        nextOffsets.clear();
        bytes = 0;
        oldestTimestampMs = Long.MAX_VALUE;
    }
}
