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

/**
 * The deletion log: every {@code footfall delete --yes} records the site and range it deleted, in its own
 * transaction, so that a replay of {@code footfall.raw} (which keeps what it received for {@code kafka.rawRetention})
 * leaves those events out instead of loading them again. A range that reaches past the deletion ends at the
 * deletion's time: events the site sends afterwards are new traffic, and a replay keeps them.
 */
public final class Deletions {

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

    /** Records a deletion of {@code site}'s events of [from, to), {@code to} capped at now, in the caller's transaction. */
    public static void record(Connection c, String site, Instant from, Instant to, long events) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, to_timestamp(?), "
                + "LEAST(to_timestamp(?), CURRENT_TIMESTAMP), CURRENT_TIMESTAMP, ?)")) {
            ps.setString(1, site);
            ps.setDouble(2, seconds(from));
            ps.setDouble(3, seconds(to));
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

    private static double seconds(Instant at) {
        return at.getEpochSecond() + at.getNano() / 1000 / 1e6;
    }
}
