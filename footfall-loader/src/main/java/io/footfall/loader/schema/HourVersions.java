package io.footfall.loader.schema;

import io.footfall.core.event.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Two tables of per-hour versions (DuckDB only), which let the query server keep summaries of finished hours
 * and days in memory and know, in the snapshot it reads, whether one is still exact (see the query module's
 * {@code SketchCache}): a stale summary is never served.
 * <ul>
 *   <li>{@value #TABLE}: for each site and UTC hour of {@code received_at} that has events, a number that goes
 *       up whenever that hour's events change. The loader raises it in the transaction of every batch with
 *       events of that hour.</li>
 *   <li>{@value #SESSIONS_TABLE}: the same for the sessions rollup, by the UTC hour of a session's
 *       {@code first_at}: raised whenever a session that starts, or started before the batch, in that hour
 *       changes ({@link #bumpSessions}).</li>
 * </ul>
 * {@code promote} (a whole new table) raises every hour's versions in both.
 *
 * <p>Invariant: every (site, hour) with rows in the live {@code events} table, or with sessions starting in it,
 * has a row in the table concerned (the loader writes it with the rows; migrations 4 and 5 and the rebuild
 * backfill it), so an hour without a row holds nothing. PostgreSQL has no such summaries (it counts visitors
 * exactly), so neither the tables nor their upkeep.
 */
public final class HourVersions {

    public static final String TABLE = "footfall_hour_versions";
    public static final String SESSIONS_TABLE = "footfall_session_hour_versions";

    private static final long HOUR_MILLIS = 3_600_000L;
    /** Appended to a µs expression: its UTC hour since 1970. */
    static final String HOUR_OF = " // 3600000000";

    private HourVersions() {
    }

    static String createTableSql() {
        return createTableSql(TABLE);
    }

    /**
     * Migration 5: the session-hour versions, and the rollup's two columns that tell which sessions a write
     * changed (a rollup created by this version's migration 3 has them already).
     */
    static String sessionsMigrationSql() {
        return "ALTER TABLE " + SessionRollup.TABLE + " ADD COLUMN IF NOT EXISTS " + SessionRollup.CHANGED_BY + " BIGINT;\n"
                + "ALTER TABLE " + SessionRollup.TABLE + " ADD COLUMN IF NOT EXISTS " + SessionRollup.START_HOUR_BEFORE + " BIGINT;\n"
                + createTableSql(SESSIONS_TABLE);
    }

    private static String createTableSql(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table + " (site VARCHAR NOT NULL, hour BIGINT NOT NULL, "
                + "version BIGINT NOT NULL, PRIMARY KEY (site, hour))";
    }

    /** Adds version 1 for every (site, UTC hour since 1970) of {@code events} that has no row yet. */
    static String backfillSql() {
        return backfillSql(TABLE, "received_at", "events");
    }

    /** Adds version 1 for every (site, UTC hour) in which a session of the rollup starts and that has no row yet. */
    static String sessionsBackfillSql() {
        return backfillSql(SESSIONS_TABLE, "first_at", SessionRollup.TABLE);
    }

    private static String backfillSql(String table, String column, String source) {
        return "INSERT INTO " + table + " SELECT site, hour, 1 FROM (SELECT DISTINCT site, epoch_us(" + column + ")" + HOUR_OF
                + " AS hour FROM " + source + ") h WHERE NOT EXISTS (SELECT 1 FROM " + table + " v WHERE v.site = h.site AND v.hour = h.hour)";
    }

    /**
     * After the events table was replaced as a whole and the rollup rebuilt from it: every known hour changes,
     * and new hours get a row.
     */
    static List<String> rebuildStatements() {
        return List.of(createTableSql(), "UPDATE " + TABLE + " SET version = version + 1", backfillSql(),
                createTableSql(SESSIONS_TABLE), "UPDATE " + SESSIONS_TABLE + " SET version = version + 1", sessionsBackfillSql());
    }

    /**
     * After some of a site's events were deleted and its sessions rebuilt ({@link SessionRollup#rebuildSite}), in the
     * same transaction: an hour left without events or session starts loses its row (so the site list, read from
     * here, drops a site deleted whole), every other hour of the site is raised, and a session of the site that now
     * starts in an hour without a row gets one. Removing a row would let a recreated hour start again at version 1;
     * that is safe because DuckDB admits one process per file, so no query server holds summaries while its file is
     * changed.
     */
    public static void afterSiteDeletion(Connection c, String site) throws SQLException {
        afterSiteDeletion(c, TABLE, "received_at", "events", site);
        afterSiteDeletion(c, SESSIONS_TABLE, "first_at", SessionRollup.TABLE, site);
        try (PreparedStatement backfill = c.prepareStatement(backfillSql(SESSIONS_TABLE, "first_at", SessionRollup.TABLE + " WHERE site = ?"))) {
            backfill.setString(1, site);
            backfill.executeUpdate();
        }
    }

    private static void afterSiteDeletion(Connection c, String table, String column, String source, String site) throws SQLException {
        try (PreparedStatement empty = c.prepareStatement("DELETE FROM " + table + " v WHERE site = ? AND NOT EXISTS (SELECT 1 FROM "
                + source + " x WHERE x.site = v.site AND epoch_us(x." + column + ")" + HOUR_OF + " = v.hour)");
             PreparedStatement raise = c.prepareStatement("UPDATE " + table + " SET version = version + 1 WHERE site = ?")) {
            empty.setString(1, site);
            empty.executeUpdate();
            raise.setString(1, site);
            raise.executeUpdate();
        }
    }

    /** Pairs per upsert statement: a batch spans one or two hours of a few sites, a catch-up batch more. */
    private static final int PAIRS_PER_STATEMENT = 500;

    private record SiteHour(String site, long hour) {
    }

    /** Raises the event-hour versions of every (site, hour) among {@code events}, inside the caller's transaction. */
    public static void bump(Connection c, List<StoredEvent> events) throws SQLException {
        Set<SiteHour> pairs = new LinkedHashSet<>();
        for (StoredEvent e : events) {
            pairs.add(new SiteHour(e.site(), Math.floorDiv(e.receivedAt(), HOUR_MILLIS)));
        }
        upsert(c, TABLE, new ArrayList<>(pairs));
    }

    /**
     * Raises the session-hour versions of every session that the rollup upsert numbered {@code write} changed
     * ({@link SessionRollup#CHANGED_BY}), inside the caller's transaction and after that upsert: the hour each
     * starts in now and, for a session that was stored before, the hour it started in before the change (they
     * differ when the batch held an event earlier than the session's stored first one). One statement; the rows
     * of one write sit in the few most recent row groups but for sessions that started long ago, and DuckDB
     * skips the others by their min/max of {@code changed_by}.
     */
    public static void bumpSessions(Connection c, long write) throws SQLException {
        // One scan of the write's rows, each giving its hour now and, if stored before, its hour before.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SESSIONS_TABLE + " SELECT DISTINCT site, hour, 1 FROM "
                + "(SELECT site, unnest([epoch_us(first_at)" + HOUR_OF + ", " + SessionRollup.START_HOUR_BEFORE + "]) AS hour FROM "
                + SessionRollup.TABLE + " WHERE " + SessionRollup.CHANGED_BY + " = ?) h WHERE hour IS NOT NULL"
                + " ON CONFLICT (site, hour) DO UPDATE SET version = " + SESSIONS_TABLE + ".version + 1")) {
            ps.setLong(1, write);
            ps.executeUpdate();
        }
    }

    /** One upsert for up to {@value #PAIRS_PER_STATEMENT} pairs (DuckDB spends milliseconds per statement, whatever its size). */
    private static void upsert(Connection c, String table, List<SiteHour> all) throws SQLException {
        for (int from = 0; from < all.size(); from += PAIRS_PER_STATEMENT) {
            List<SiteHour> chunk = all.subList(from, Math.min(all.size(), from + PAIRS_PER_STATEMENT));
            StringBuilder sql = new StringBuilder("INSERT INTO " + table + " VALUES ");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "(?, ?, 1)" : ", (?, ?, 1)");
            }
            sql.append(" ON CONFLICT (site, hour) DO UPDATE SET version = " + table + ".version + 1");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int n = 1;
                for (SiteHour p : chunk) {
                    ps.setString(n++, p.site());
                    ps.setLong(n++, p.hour());
                }
                ps.executeUpdate();
            }
        }
    }
}
