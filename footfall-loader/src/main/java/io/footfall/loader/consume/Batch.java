package io.footfall.loader.consume;

import io.footfall.core.event.BadEvent;
import io.footfall.core.event.StoredEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The records consumed since the last commit: the events to store, the records refused for
 * {@code footfall.bad}, the broker timestamps (for the freshness metric) and the offset to resume from per
 * partition. Closes at a count, a byte size or a deadline after its first record; while the loader is behind,
 * at the larger catch-up count or size instead, whatever the deadline. Time is passed in, so the deadline is
 * testable without sleeping.
 */
final class Batch {

    private final int maxEvents;
    private final long maxBytes;
    private final long maxDelayNanos;
    private final int catchUpEvents;
    private final long catchUpBytes;
    private final List<StoredEvent> events = new ArrayList<>();
    private final Set<String> eventIds = new HashSet<>();
    private final List<BadEvent> rejected = new ArrayList<>();
    private final Map<Integer, Long> nextOffsets = new HashMap<>();
    private long[] timestampsMs = new long[1024];
    private int records;
    private long bytes;
    private long openedAtNanos;

    Batch(int maxEvents, long maxBytes, long maxDelayNanos) {
        this(maxEvents, maxBytes, maxDelayNanos, maxEvents, maxBytes);
    }

    Batch(int maxEvents, long maxBytes, long maxDelayNanos, int catchUpEvents, long catchUpBytes) {
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.maxDelayNanos = maxDelayNanos;
        this.catchUpEvents = Math.max(maxEvents, catchUpEvents);
        this.catchUpBytes = Math.max(maxBytes, catchUpBytes);
    }

    /** Adds an event to store. A second event with an id already in the batch only advances the offset. */
    void add(StoredEvent event, int partition, long offset, int sizeBytes, long timestampMs, long nowNanos) {
        record(partition, offset, sizeBytes, timestampMs, nowNanos);
        // The warehouse skips ids it holds; ids repeated inside one batch are skipped here, before staging.
        if (eventIds.add(event.eventId())) {
            events.add(event);
        }
    }

    /** Adds a record the warehouse would refuse: it goes to {@code footfall.bad} before the batch commits. */
    void reject(BadEvent bad, int partition, long offset, int sizeBytes, long timestampMs, long nowNanos) {
        record(partition, offset, sizeBytes, timestampMs, nowNanos);
        rejected.add(bad);
    }

    private void record(int partition, long offset, int sizeBytes, long timestampMs, long nowNanos) {
        if (records == 0) {
            openedAtNanos = nowNanos;
        }
        if (records == timestampsMs.length) {
            timestampsMs = Arrays.copyOf(timestampsMs, records * 2);
        }
        timestampsMs[records++] = timestampMs;
        bytes += sizeBytes;
        nextOffsets.put(partition, offset + 1);
    }

    boolean isEmpty() {
        return records == 0;
    }

    /** Records in the batch, stored or not: what the loader holds in memory. */
    int records() {
        return records;
    }

    boolean full() {
        return records >= maxEvents || bytes >= maxBytes;
    }

    /**
     * @param behind more records wait on the broker than a normal batch holds: the batch then grows to the
     *               catch-up limits before it closes, deadline or not, so a backlog goes in fewer, larger
     *               transactions; once the loader has caught up the normal limits and the deadline apply again
     */
    boolean due(long nowNanos, boolean behind) {
        if (isEmpty()) {
            return false;
        }
        if (behind) {
            return records >= catchUpEvents || bytes >= catchUpBytes;
        }
        return full() || nowNanos - openedAtNanos >= maxDelayNanos;
    }

    List<StoredEvent> events() {
        return events;
    }

    List<BadEvent> rejected() {
        return rejected;
    }

    Map<Integer, Long> nextOffsets() {
        return nextOffsets;
    }

    /** The broker timestamp of each record, in consumption order. */
    long[] timestampsMs() {
        return Arrays.copyOf(timestampsMs, records);
    }

    boolean holdsAny(Collection<Integer> partitions) {
        return partitions.stream().anyMatch(nextOffsets::containsKey);
    }

    /** Forgets the refused records once they are on {@code footfall.bad}, so a retry does not send them twice. */
    void rejectedSent() {
        rejected.clear();
    }

    void clear() {
        events.clear();
        eventIds.clear();
        rejected.clear();
        nextOffsets.clear();
        records = 0;
        bytes = 0;
    }
}
