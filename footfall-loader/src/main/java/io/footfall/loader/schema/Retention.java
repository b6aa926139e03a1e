package io.footfall.loader.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * Retention ({@code loader.retention}): deletes the events received before a cutoff from an events table, with what
 * they made, in the caller's transaction, so that every stat agrees with the events that are left:
 * <ul>
 *   <li>a session all of whose events go loses its {@link SessionRollup} row; a session that straddles the cutoff
 *       (started before it, went on after it) is rebuilt from its remaining events, as if the earlier ones had never
 *       been (its entry page, its source are those of its first remaining event);</li>
 *   <li>on DuckDB, the {@link HourVersions} of every hour that lost events or session starts, and of the hours the
 *       rebuilt sessions now start in, are raised, so that no summary of them is served again. No row is removed:
 *       versions only go up, so a token the query server cached can never come back with other contents (an hour
 *       that lost its row and got it back would start again at version 1);</li>
 *   <li>{@value #TABLE} records the latest cutoff, when it ran and how many events went: the site list leaves out
 *       hours before the cutoff, and operators can read it.</li>
 * </ul>
 *
 * <p>Loaders go on writing meanwhile (PostgreSQL; DuckDB's writer waits for the run). They write recent events, so
 * nothing they touch is deleted, and where a session they continue is rebuilt here, row locks order the two: the
 * rebuild reads the events that were committed before it, the loader's merge adds its own part once. Events older
 * than the cutoff that a loader writes during a run (one more than {@code loader.retention} behind) go at the next.
 */
public final class Retention {

    public static final String TABLE = "footfall_retention";

    /** The sessions a run rebuilds, per connection (a temporary table). */
    private static final String STRADDLING = "footfall_straddling";

    /** PostgreSQL: one run at a time per schema, whichever loader process it is in. */
    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('footfall.retention.' || current_schema()))";

    private Retention() {
    }

    /** Migration 6. */
    static String createTableSql() {
        return "CREATE TABLE IF NOT EXISTS " + TABLE + " (id INTEGER PRIMARY KEY, expired_before TIMESTAMPTZ NOT NULL, "
                + "ran_at TIMESTAMPTZ NOT NULL, deleted BIGINT NOT NULL)";
    }

    /**
     * Deletes the events of {@code events} (the live table) received before {@code before}, in the caller's
     * transaction, as the class describes; {@code before} is taken to the whole second below.
     *
     * @return how many events were deleted
     */
    public static long expire(Connection c, Dialect dialect, String events, Instant before) throws SQLException {
        double cutoff = before.getEpochSecond();
        boolean duckdb = dialect == Dialect.DUCKDB;
        if (!duckdb) {
            try (Statement st = c.createStatement()) {
                st.execute(LOCK);
            }
        }
        String earlier = " < to_timestamp(?)";
        if (duckdb) {
            raise(c, HourVersions.TABLE, "received_at", events + " WHERE received_at" + earlier, cutoff);
        }
        long deleted = update(c, "DELETE FROM " + events + " WHERE received_at" + earlier, cutoff);
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + STRADDLING);
            st.execute("CREATE TEMPORARY TABLE " + STRADDLING + " (site " + dialect.render("${text}") + ", session_id "
                    + dialect.render("${text}") + ", last_at TIMESTAMPTZ)");
        }
        if (duckdb) {
            update(c, "INSERT INTO " + STRADDLING + " SELECT site, session_id, last_at FROM " + SessionRollup.TABLE
                    + " WHERE first_at" + earlier + " AND last_at >= to_timestamp(?)", cutoff, cutoff);
            raise(c, HourVersions.SESSIONS_TABLE, "first_at", SessionRollup.TABLE + " WHERE first_at" + earlier, cutoff);
            update(c, "DELETE FROM " + SessionRollup.TABLE + " WHERE first_at" + earlier, cutoff);
        } else {
            // The straddling visits from the rows the delete removed, as it removed them: a loader's merge that commits
            // while it waits for their locks is in them (a separate read before it would miss it).
            update(c, "WITH gone AS (DELETE FROM " + SessionRollup.TABLE + " WHERE first_at" + earlier
                    + " RETURNING site, session_id, last_at) INSERT INTO " + STRADDLING
                    + " SELECT site, session_id, last_at FROM gone WHERE last_at >= to_timestamp(?)", cutoff, cutoff);
        }
        Long lastSecond = lastSecond(c);
        if (lastSecond != null) {
            // Their remaining events lie between the cutoff and the latest of their last events: a time range, which
            // DuckDB prunes by its row groups' min/max and PostgreSQL reads per site from its (site, received_at) index,
            // instead of a join over the whole table.
            String straddling = " WHERE EXISTS (SELECT 1 FROM " + STRADDLING + " x WHERE x.site = %1$s.site AND x.session_id = %1$s.session_id)";
            update(c, SessionRollup.insertFrom(dialect, events + straddling.formatted(events) + " AND received_at >= to_timestamp(?)"
                    + " AND received_at < to_timestamp(?) AND site IN (SELECT site FROM " + STRADDLING + ")"), cutoff, lastSecond + 1.0);
            if (duckdb) {
                // The hours the rebuilt sessions start in now: a row of its own for an hour that had none.
                raise(c, HourVersions.SESSIONS_TABLE, "first_at", SessionRollup.TABLE + " s" + straddling.formatted("s"));
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE " + STRADDLING);
        }
        update(c, "INSERT INTO " + TABLE + " VALUES (1, to_timestamp(?), CURRENT_TIMESTAMP, ?) ON CONFLICT (id) DO UPDATE SET "
                + "expired_before = CASE WHEN excluded.expired_before > " + TABLE + ".expired_before THEN excluded.expired_before ELSE "
                + TABLE + ".expired_before END, ran_at = excluded.ran_at, deleted = excluded.deleted", cutoff, deleted);
        return deleted;
    }

    /** The whole second of the latest last event of the straddling visits, or null when there are none. */
    private static Long lastSecond(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT CAST(floor(extract(epoch FROM max(last_at))) AS BIGINT) FROM " + STRADDLING)) {
            rs.next();
            long second = rs.getLong(1);
            return rs.wasNull() ? null : second;
        }
    }

    /**
     * After the events table was replaced as a whole ({@code promote}), in the caller's transaction: a recorded cutoff
     * becomes the new table's first event (to the second), since nothing older is in it and it may hold events older
     * than the last run's cutoff (a replay). The site list then neither hides those events nor lists again the sites
     * whose events the runs deleted; the next run moves it forward again.
     */
    public static void afterPromote(Connection c, String events) throws SQLException {
        update(c, "UPDATE " + TABLE + " SET expired_before = (SELECT date_trunc('second', min(received_at)) FROM " + events
                + ") WHERE EXISTS (SELECT 1 FROM " + events + ")");
    }

    /**
     * Raises the version of every (site, UTC hour of {@code time}) among the rows of {@code source} (a table and its
     * condition), adding version 1 for a pair without a row.
     */
    private static void raise(Connection c, String table, String time, String source, Object... parameters) throws SQLException {
        update(c, "INSERT INTO " + table + " SELECT DISTINCT site, epoch_us(" + time + ")" + HourVersions.HOUR_OF + ", 1 FROM "
                + source + " ON CONFLICT (site, hour) DO UPDATE SET version = " + table + ".version + 1", parameters);
    }

    private static long update(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            return ps.executeUpdate();
        }
    }
}
