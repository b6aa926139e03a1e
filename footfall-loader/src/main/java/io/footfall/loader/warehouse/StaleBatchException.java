package io.footfall.loader.warehouse;

import java.sql.SQLException;

/**
 * A batch was refused because the stored offset of one of its partitions is not the one the batch was
 * read from: another loader owns (or owned) the partition. Nothing of the batch was written.
 */
public final class StaleBatchException extends SQLException {

    public StaleBatchException(String topic, int partition, long expected) {
        super("stale batch: stored offset of " + topic + "/" + partition + " is no longer "
                + (expected == OffsetCommit.NONE ? "absent" : Long.toString(expected)));
    }
}
