package io.footfall.loader.schema;

import io.footfall.core.event.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@value #TABLE} table (DuckDB only): for each site and UTC hour of {@code received_at} that has events,
 * a number that goes up whenever that hour's events change. The loader raises it in the transaction of every
 * batch with events of that hour; {@code promote} (a whole new table) raises every hour's. The query server
 * keeps summaries of finished hours and days for the page-path and event-name lists (see the query module's
 * {@code SketchCache}) and uses one only while the versions of its hours are the ones it was built at, read in
 * the same snapshot as the rest of the query: a stale summary is never served.
 *
 * <p>Invariant: every (site, hour) with rows in the live {@code events} table has a row here (the loader
 * writes it with the rows; migration 4 and the rebuild backfill it), so an hour without a row holds no
 * events. PostgreSQL has no such summaries (it counts visitors exactly), so neither the table nor its upkeep.
 */
public final class HourVersions {

    public static final String TABLE = "footfall_hour_versions";

    private static final long HOUR_MILLIS = 3_600_000L;

    private HourVersions() {
    }

    static String createTableSql() {
        return "CREATE TABLE IF NOT EXISTS " + TABLE + " (site VARCHAR NOT NULL, hour BIGINT NOT NULL, "
                + "version BIGINT NOT NULL, PRIMARY KEY (site, hour))";
    }

    /** Adds version 1 for every (site, UTC hour since 1970) of {@code events} that has no row yet. */
    static String backfillSql() {
        return "INSERT INTO " + TABLE + " SELECT site, hour, 1 FROM (SELECT DISTINCT site, epoch_us(received_at) // 3600000000"
                + " AS hour FROM events) h WHERE NOT EXISTS (SELECT 1 FROM " + TABLE + " v WHERE v.site = h.site AND v.hour = h.hour)";
    }

    /** After the events table was replaced as a whole: every known hour changes, and new hours get a row. */
    static List<String> rebuildStatements() {
        return List.of(createTableSql(), "UPDATE " + TABLE + " SET version = version + 1", backfillSql());
    }

    /** Pairs per upsert statement: a batch spans one or two hours of a few sites, a catch-up batch more. */
    private static final int PAIRS_PER_STATEMENT = 500;

    private record SiteHour(String site, long hour) {
    }

    /**
     * Raises the version of every (site, hour) among {@code events}, inside the caller's transaction: one
     * upsert for up to {@value #PAIRS_PER_STATEMENT} pairs (DuckDB spends milliseconds per upsert statement,
     * whatever its size).
     */
    public static void bump(Connection c, List<StoredEvent> events) throws SQLException {
        Set<SiteHour> pairs = new LinkedHashSet<>();
        for (StoredEvent e : events) {
            pairs.add(new SiteHour(e.site(), Math.floorDiv(e.receivedAt(), HOUR_MILLIS)));
        }
        List<SiteHour> all = new ArrayList<>(pairs);
        for (int from = 0; from < all.size(); from += PAIRS_PER_STATEMENT) {
            List<SiteHour> chunk = all.subList(from, Math.min(all.size(), from + PAIRS_PER_STATEMENT));
            StringBuilder sql = new StringBuilder("INSERT INTO " + TABLE + " VALUES ");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "(?, ?, 1)" : ", (?, ?, 1)");
            }
            sql.append(" ON CONFLICT (site, hour) DO UPDATE SET version = " + TABLE + ".version + 1");
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
