package io.footfall.loader.schema;

import io.footfall.core.event.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deletion log: every {@code footfall delete --yes} records the site and range it deleted, in its own
 * transaction, so that a replay of {@code footfall.raw} (which keeps what it received for {@code kafka.rawRetention})
 * leaves those events out instead of loading them again. A range that reaches past the deletion ends at the
 * deletion's time: events the site sends afterwards are new traffic, and a replay keeps them. Loaders read it in
 * every batch's transaction too ({@link #without}).
 */
public final class Deletions {

    private static final Logger LOG = LoggerFactory.getLogger(Deletions.class);

    public static final String TABLE = "footfall_deletions";

    private Deletions() {
    }

    /** A site's events received in [fromMicros, toMicros), epoch microseconds, that a deletion removed. */
    public record Range(String site, long fromMicros, long toMicros) {
        public boolean covers(StoredEvent event) {
            long micros = event.receivedAt() * 1_000;
            return micros >= fromMicros && micros < toMicros && site.equals(event.site());
        }
    }

    static String createTableSql() {
        return "CREATE TABLE IF NOT EXISTS " + TABLE + " (site ${text} NOT NULL, from_at TIMESTAMPTZ NOT NULL, "
                + "to_at TIMESTAMPTZ NOT NULL, deleted_at TIMESTAMPTZ NOT NULL, events BIGINT NOT NULL)";
    }

    /** Records a deletion of {@code site}'s events of [from, to) in the caller's transaction. */
    public static void record(Connection c, String site, Instant from, Instant to, long events) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, to_timestamp(?), "
                + "to_timestamp(?), CURRENT_TIMESTAMP, ?)")) {
            ps.setString(1, site);
            ps.setDouble(2, epochSeconds(from));
            ps.setDouble(3, epochSeconds(to));
            ps.setLong(4, events);
            ps.executeUpdate();
        }
    }

    /** Every recorded deletion, oldest first. */
    public static List<Range> read(Connection c, Dialect dialect) throws SQLException {
        List<Range> ranges = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT site, " + dialect.epochMicros("from_at")
                + ", " + dialect.epochMicros("to_at") + " FROM " + TABLE + " ORDER BY deleted_at")) {
            while (rs.next()) {
                ranges.add(new Range(rs.getString(1), rs.getLong(2), rs.getLong(3)));
            }
        }
        return ranges;
    }

    /**
     * {@code events} without those a recorded deletion covers, the log read in the caller's transaction: a loader
     * that was behind when {@code footfall delete} ran (stopped, or catching up) does not write them afterwards.
     */
    public static List<StoredEvent> without(Connection c, Dialect dialect, List<StoredEvent> events) throws SQLException {
        List<Range> ranges = read(c, dialect);
        if (ranges.isEmpty()) {
            return events;
        }
        List<StoredEvent> kept = new ArrayList<>(events.size());
        for (StoredEvent e : events) {
            if (!covered(ranges, e)) {
                kept.add(e);
            }
        }
        if (kept.size() < events.size()) {
            LOG.info("event=deleted_events_not_loaded count={}", events.size() - kept.size());
        }
        return kept;
    }

    /**
     * Deletes from {@code table} (a replay's, about to be promoted) the events a recorded deletion covers: a deletion
     * made while the replay ran, or before a table replayed earlier, in the caller's transaction.
     *
     * @return how many
     */
    public static long removeFrom(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement()) {
            long removed = st.executeUpdate("DELETE FROM " + table + " WHERE EXISTS (SELECT 1 FROM " + TABLE + " d WHERE d.site = "
                    + table + ".site AND " + table + ".received_at >= d.from_at AND " + table + ".received_at < d.to_at)");
            if (removed > 0) {
                LOG.info("event=deleted_events_removed_before_promote table={} count={}", table, removed);
            }
            return removed;
        }
    }

    /** Whether one of {@code ranges} covers {@code event}. */
    public static boolean covered(List<Range> ranges, StoredEvent event) {
        for (Range range : ranges) {
            if (range.covers(event)) {
                return true;
            }
        }
        return false;
    }

    /** An instant as {@code to_timestamp(?)} takes it on both warehouses: seconds, to the microsecond. */
    public static double epochSeconds(Instant at) {
        return at.getEpochSecond() + at.getNano() / 1000 / 1e6;
    }
}
