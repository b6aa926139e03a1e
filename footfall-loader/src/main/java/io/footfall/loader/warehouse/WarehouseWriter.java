package io.footfall.loader.warehouse;

import io.footfall.core.event.StoredEvent;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.Deletions;
import io.footfall.loader.schema.SessionRollup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Writes batches of stored events exactly once: rows and the consumed offsets in one transaction.
 * The loader writes from its writer thread while its consumer thread may read the stored offsets and check rows
 * ({@link #storedOffsets}, {@link #rejection}); {@code replay} and {@code promote} use it from one thread.
 */
public interface WarehouseWriter extends AutoCloseable {

    /** The live events table, unqualified. */
    String LIVE_TABLE = "events";

    /** Where {@link #promote} keeps the table it replaced. */
    String PREVIOUS_TABLE = "events_prev";

    Dialect sqlDialect();

    /** Brings the schema to the current version. */
    void migrate() throws SQLException;

    /** The next offset to consume per partition of a topic, as committed in the warehouse. */
    Map<Integer, Long> storedOffsets(String topic) throws SQLException;

    /**
     * Inserts the events into the live table (skipping event ids already stored) and moves the stored
     * offsets, atomically.
     *
     * @param offsets per partition of {@code topic} in the batch: the stored offset it was read from and the next
     * @return how many rows were new
     * @throws StaleBatchException when a stored offset moved since the batch was read; nothing was written
     */
    long write(List<StoredEvent> events, String topic, List<OffsetCommit> offsets) throws SQLException;

    /** Whether a table of that name exists in the warehouse's schema. */
    boolean tableExists(String table) throws SQLException;

    /** Creates the events table {@code table} if it does not exist (same columns as the live one). */
    void createTable(String table) throws SQLException;

    /** Inserts events into {@code table}, skipping ids already there; no offsets (for {@code replay}). */
    long append(String table, List<StoredEvent> events) throws SQLException;

    /**
     * Makes {@code table} the live table in one transaction; the live one is renamed {@value #PREVIOUS_TABLE}.
     *
     * @throws IllegalStateException when {@code table} is missing or {@value #PREVIOUS_TABLE} exists already
     */
    void promote(String table) throws SQLException;

    /**
     * Deletes a site's events received in [{@code from}, {@code to}) from the live table and, in the same
     * transaction, rebuilds the site's rows of the sessions rollup from what is left, so that every stat agrees with
     * the events. A visit that straddles {@code from} or {@code to} keeps its other events.
     *
     * @return how many events were deleted
     */
    long deleteSite(String site, Instant from, Instant to) throws SQLException;

    /**
     * Deletes the live table's events received before {@code before} (to the whole second below), and what they made,
     * in one transaction ({@code loader.retention}; see {@link io.footfall.loader.schema.Retention}).
     *
     * @return how many events were deleted
     */
    long expire(Instant before) throws SQLException;

    /**
     * Where a run of {@link #expire} towards {@code before} stops this time, so that one transaction deletes about
     * {@code maxEvents} events at most: {@code before} when no more are older than it, else an earlier whole second
     * (still later than the oldest event's). PostgreSQL's readers and writers do not wait for a deletion's commit, so
     * there a run is one step.
     */
    default Instant expiryStep(Instant before, long maxEvents) throws SQLException {
        return before;
    }

    /**
     * {@link #deleteSite} in the caller's transaction: deletes the site's events of [from, to) from {@code table}, then,
     * if there were any, rebuilds the site's sessions; how many.
     */
    static long deleteEvents(Connection c, Dialect dialect, String table, String site, Instant from, Instant to)
            throws SQLException {
        // A range reaching past now ends now, for the rows deleted and the range recorded alike: what the site sends
        // afterwards is new traffic, kept here, by replays and by loaders.
        Instant now = Instant.now();
        if (to.isAfter(now)) {
            to = now;
        }
        long deleted;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + SITE_RANGE)) {
            bindSiteRange(ps, site, from, to);
            deleted = ps.executeUpdate();
        }
        if (deleted > 0) {
            SessionRollup.rebuildSite(c, dialect, site);
        }
        if (table.equals(LIVE_TABLE) && TableRename.exists(c, PREVIOUS_TABLE)) {
            // The table promote replaced holds the same events: a deletion (a privacy request, say) reaches it too.
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + PREVIOUS_TABLE + SITE_RANGE)) {
                bindSiteRange(ps, site, from, to);
                ps.executeUpdate();
            }
        }
        // Recorded even when the table had none of them: a replay of footfall.raw must not bring them in either.
        Deletions.record(c, site, from, to, deleted);
        return deleted;
    }

    /**
     * In a retention run's transaction (the live table's events before {@code before} deleted): the same from
     * {@value #PREVIOUS_TABLE}, when {@code promote} left one, so that no event outlives the retention there.
     */
    static void expirePrevious(Connection c, Instant before) throws SQLException {
        if (TableRename.exists(c, PREVIOUS_TABLE)) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + PREVIOUS_TABLE
                    + " WHERE received_at < to_timestamp(?)")) {
                ps.setDouble(1, before.getEpochSecond());
                ps.executeUpdate();
            }
        }
    }

    /** The condition of a site's events received in [from, to); {@link #bindSiteRange} sets its parameters. */
    String SITE_RANGE = " WHERE site = ? AND received_at >= to_timestamp(?) AND received_at < to_timestamp(?)";

    static void bindSiteRange(PreparedStatement ps, String site, Instant from, Instant to) throws SQLException {
        ps.setString(1, site);
        ps.setDouble(2, Deletions.epochSeconds(from));
        ps.setDouble(3, Deletions.epochSeconds(to));
    }

    /** The ranges {@code footfall delete} removed (the deletion log), which a replay leaves out. */
    List<Deletions.Range> deletions() throws SQLException;

    /** Why the warehouse would reject this row, or null when it fits. */
    default String rejection(StoredEvent event) {
        return RowCheck.problem(event, sqlDialect());
    }

    @Override
    void close();
}
