package io.footfall.app.reliability;

import io.footfall.loader.warehouse.DuckDbWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the suites compare at the end: the ids acknowledged with a 202 against the rows of the load's site
 * in the warehouse. Lost (acknowledged, not stored) and duplicated (stored more than once) must be 0;
 * stored-but-unacknowledged is allowed (the response was lost, not the event). {@code badRecords} is footfall.bad
 * by reason ({@link BadTopicTally}) when the suite read it, else empty; a loss report there is a failure too.
 */
public record Tally(long acknowledged, long storedRows, long lost, long duplicated, long storedUnacknowledged,
                    Map<String, Long> badRecords) {

    private static final String QUERY = "SELECT CAST(event_id AS VARCHAR) FROM %sevents WHERE site = '" + AckedLoad.SITE + "'";

    public boolean exact() {
        return lost == 0 && duplicated == 0;
    }

    /** The same counts with footfall.bad's records by reason, read while the broker was still up. */
    public Tally withBadRecords(Map<String, Long> byReason) {
        return new Tally(acknowledged, storedRows, lost, duplicated, storedUnacknowledged, Map.copyOf(byReason));
    }

    public long lossReports() {
        return BadTopicTally.lossReports(badRecords);
    }

    /**
     * The broken promises of a run with these answers: events lost or duplicated, any answer but 202 or 503,
     * any request without an HTTP answer (a hang, a reset or a refused connection). A new list, to add to.
     */
    public List<String> failures(Map<Integer, Long> statuses, long transportErrors) {
        List<String> out = new ArrayList<>();
        if (!exact()) {
            out.add("lost " + lost + ", duplicated " + duplicated);
        }
        if (lossReports() > 0) {
            out.add(lossReports() + " loss reports in footfall.bad, though nothing was deleted: " + badRecords);
        }
        statuses.keySet().stream().filter(s -> s != 202 && s != 503).forEach(s -> out.add(statuses.get(s) + " answers " + s));
        if (transportErrors > 0) {
            out.add(transportErrors + " requests without an HTTP answer (hang, reset or refused)");
        }
        return out;
    }

    /** Counts against a DuckDB file no other process has open. */
    public static Tally ofDuckDb(Set<String> acked, Path duckDbFile) throws SQLException {
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(duckDbFile); Connection c = warehouse.readConnection()) {
            return of(acked, c, "");
        }
    }

    /** Counts against the {@code events} table of a PostgreSQL schema. */
    public static Tally ofPostgres(Set<String> acked, String jdbcUrl, String user, String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, "")) {
            return of(acked, c, schema + ".");
        }
    }

    private static Tally of(Set<String> acked, Connection c, String tablePrefix) throws SQLException {
        Map<String, Integer> stored = new HashMap<>();
        long rows = 0;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(String.format(QUERY, tablePrefix))) {
            while (rs.next()) {
                stored.merge(rs.getString(1), 1, Integer::sum);
                rows++;
            }
        }
        long lost = acked.stream().filter(id -> !stored.containsKey(id)).count();
        long duplicated = stored.values().stream().filter(n -> n > 1).count();
        long unacked = stored.keySet().stream().filter(id -> !acked.contains(id)).count();
        return new Tally(acked.size(), rows, lost, duplicated, unacked, Map.of());
    }
}
