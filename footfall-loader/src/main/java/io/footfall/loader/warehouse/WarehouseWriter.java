package io.footfall.loader.warehouse;

import io.footfall.core.event.StoredEvent;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Writes batches of stored events exactly once: rows and the consumed offsets in one transaction.
 * Used from the loader's single consumer thread.
 */
public interface WarehouseWriter extends AutoCloseable {

    /** Brings the schema to the current version. */
    void migrate() throws SQLException;

    /** The next offset to consume per partition of a topic, as committed in the warehouse. */
    Map<Integer, Long> storedOffsets(String topic) throws SQLException;

    /**
     * Inserts the events (skipping event ids already stored) and sets the stored offsets, atomically.
     *
     * @param nextOffsets per partition of {@code topic}, the offset after the last event of the batch
     * @return how many rows were new
     */
    long write(List<StoredEvent> events, String topic, Map<Integer, Long> nextOffsets) throws SQLException;

    @Override
    void close();
}
