package io.footfall.enricher.topology;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The next offset of {@code footfall.raw} each partition of a task expects, kept in a changelogged store: it commits
 * in the same transaction as the task's output and its consumed offsets, so after a restart, a rebalance or a crash it
 * is exactly where the task goes on from. A record arriving past it means the offsets between were never read: the
 * topic's retention deleted them while the enricher was stopped or behind (Kafka Streams then resets to the first
 * record there is, silently), or an operator moved the group's offsets past them. Collectors write {@code footfall.raw}
 * without transactions, so every offset there is a record and the gap is the number of events lost.
 *
 * <p>The store has the Streams record cache: the put of every record lands in the cache, and only the last one per
 * partition reaches RocksDB and the changelog at each commit.
 */
final class RawPositions {

    private final KeyValueStore<Integer, Long> store;
    /** The store's value, read once per partition since {@link #RawPositions} (init: a revived task starts over). */
    private final Map<Integer, Long> next = new HashMap<>(2);

    RawPositions(KeyValueStore<Integer, Long> store) {
        this.store = store;
    }

    /**
     * Notes that the record at {@code offset} of {@code partition} is being processed.
     *
     * @return the offsets skipped just before it (0 for the expected one, for the first record of a partition this
     *         store has never seen, and for one below the expected offset: the topic was made again, or the group's
     *         offsets were moved back to read records again)
     */
    long arrived(int partition, long offset) {
        Long expected = next.get(partition);
        if (expected == null) {
            expected = store.get(partition);
        }
        next.put(partition, offset + 1);
        store.put(partition, offset + 1);
        return expected != null && offset > expected ? offset - expected : 0;
    }
}
