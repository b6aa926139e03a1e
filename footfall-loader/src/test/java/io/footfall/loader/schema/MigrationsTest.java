package io.footfall.loader.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.footfall.core.event.StoredEvent;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The versioned runner on DuckDB (PostgreSQL: PostgresWarehouseIT in footfall-app). */
class MigrationsTest {

    private static final int LATEST = Migrations.ALL.get(Migrations.ALL.size() - 1).version();

    @Test
    void aFreshDatabaseGetsEveryVersionAndTheTables() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(LATEST, Migrations.apply(c, Dialect.DUCKDB));
            assertEquals(versions(), recorded(c));
            assertEquals(0, count(c, "SELECT count(*) FROM events"));
            assertEquals(0, count(c, "SELECT count(*) FROM footfall_offsets"));
        }
    }

    @Test
    void runningAgainIsANoOp() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            Migrations.apply(c, Dialect.DUCKDB);
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO footfall_offsets VALUES ('t', 0, 5)");
            }
            assertEquals(LATEST, Migrations.apply(c, Dialect.DUCKDB));
            assertEquals(versions(), recorded(c), "no version recorded twice");
            assertEquals(1, count(c, "SELECT count(*) FROM footfall_offsets"), "data untouched");
        }
    }

    @Test
    void upgradesFromEachEarlierVersion() throws SQLException {
        for (Migrations.Migration from : Migrations.ALL) {
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
                assertEquals(from.version(), Migrations.apply(c, Dialect.DUCKDB, from.version()));
                try (Statement st = c.createStatement()) {
                    st.execute("INSERT INTO footfall_offsets VALUES ('t', 0, 5)");
                }
                assertEquals(LATEST, Migrations.apply(c, Dialect.DUCKDB));
                assertEquals(versions(), recorded(c), "upgrade from v" + from.version());
                assertEquals(1, count(c, "SELECT count(*) FROM footfall_offsets"));
            }
        }
    }

    @Test
    void theSessionsRollupIsBuiltFromTheEventsStoredBeforeIt() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            Migrations.apply(c, Dialect.DUCKDB, 2);
            // Two sessions and one event without a session, written before version 3.
            st.execute("INSERT INTO events (event_id, site, type, received_at, path, visitor_id, session_id, session_seq, country) VALUES "
                    + "('00000000-0000-0000-0000-000000000001', 'a.test', 'pageview', TIMESTAMPTZ '2026-01-01 10:00:00+00', '/', 'v1', 's1', 1, 'DE'), "
                    + "('00000000-0000-0000-0000-000000000002', 'a.test', 'pageview', TIMESTAMPTZ '2026-01-01 10:05:00+00', '/b', 'v1', 's1', 2, 'FR'), "
                    + "('00000000-0000-0000-0000-000000000003', 'a.test', 'event', TIMESTAMPTZ '2026-01-01 10:06:00+00', '/b', 'v1', 's1', 3, 'FR'), "
                    + "('00000000-0000-0000-0000-000000000004', 'a.test', 'pageview', TIMESTAMPTZ '2026-01-01 11:00:00+00', '/c', 'v2', 's2', 1, NULL), "
                    + "('00000000-0000-0000-0000-000000000005', 'a.test', 'pageview', TIMESTAMPTZ '2026-01-01 12:00:00+00', '/d', 'v3', NULL, 0, NULL)");
            assertEquals(LATEST, Migrations.apply(c, Dialect.DUCKDB));
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT session_id, sessionless, visitor_id, pageviews, events, entry_path, exit_path, "
                    + "country, epoch(last_at) - epoch(first_at) FROM footfall_sessions ORDER BY first_at")) {
                while (rs.next()) {
                    rows.add(rs.getString(1).replaceAll("[0-9a-f-]{36}", "ID") + "|" + rs.getBoolean(2) + "|" + rs.getString(3) + "|"
                            + rs.getLong(4) + "|" + rs.getLong(5) + "|" + rs.getString(6) + "|" + rs.getString(7) + "|"
                            + rs.getString(8) + "|" + rs.getLong(9));
                }
            }
            assertEquals(List.of("s1|false|v1|2|1|/|/b|DE|360", "s2|false|v2|1|0|/c|/c|null|0", "event:ID|true|v3|1|0|/d|/d|null|0"), rows);
        }
    }

    @Test
    void hourVersionsAreBackfilledForTheEventsStoredBeforeThem() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            Migrations.apply(c, Dialect.DUCKDB, 3);
            st.execute("INSERT INTO events (event_id, site, type, received_at) VALUES "
                    + "('00000000-0000-0000-0000-000000000001', 'a.test', 'pageview', TIMESTAMPTZ '1970-01-01 10:00:00+00'), "
                    + "('00000000-0000-0000-0000-000000000002', 'a.test', 'pageview', TIMESTAMPTZ '1970-01-01 10:59:59+00'), "
                    + "('00000000-0000-0000-0000-000000000003', 'b.test', 'pageview', TIMESTAMPTZ '1970-01-02 00:00:00+00'), "
                    + "('00000000-0000-0000-0000-000000000004', 'b.test', 'pageview', TIMESTAMPTZ '1970-01-02 02:10:00+00')");
            st.execute("UPDATE events SET session_id = 's1' WHERE site = 'b.test'");
            // As the loader of version 3 would have: the rows folded into the rollup.
            st.execute(SessionRollup.insertFromOfMigration3(Dialect.DUCKDB));
            assertEquals(LATEST, Migrations.apply(c, Dialect.DUCKDB));
            assertEquals(List.of("a.test|10|1", "b.test|24|1", "b.test|26|1"), siteHours(st, "footfall_hour_versions"));
            // Sessions by the hour they start in: b.test's one session started at 00:00 (hour 24).
            assertEquals(List.of("a.test|10|1", "b.test|24|1"), siteHours(st, "footfall_session_hour_versions"));
        }
    }

    private static List<String> siteHours(Statement st, String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT site, hour, version FROM " + table + " ORDER BY site, hour")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "|" + rs.getLong(2) + "|" + rs.getLong(3));
            }
        }
        return rows;
    }

    /**
     * Migration 8 adds {@code referrer_source} to events and the rollup: rows stored before take their referrer host
     * without www. (what the enricher stores for a referrer its lists do not know), and an upgraded
     * database has the columns in the order a fresh one has them, which is the order the writers append in
     * (StoredEvent.COLUMNS; the rollup's with DuckDB's marks before the added column), also after promote's rebuild.
     */
    @Test
    void referrerSourceIsAddedAndStoredRowsTakeTheirHost() throws SQLException {
        List<String> freshEvents;
        List<String> freshSessions;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            Migrations.apply(c, Dialect.DUCKDB);
            freshEvents = names(c, "events");
            freshSessions = names(c, SessionRollup.TABLE);
        }
        assertEquals(StoredEvent.COLUMNS, freshEvents, "the Appender's and COPY's order");
        assertEquals(SessionRollup.duckDbColumns(), freshSessions, "the order opening parts are appended in");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            Migrations.apply(c, Dialect.DUCKDB, 2);
            st.execute("INSERT INTO events (event_id, site, type, received_at, referrer_host, referrer_type, session_id, session_seq) "
                    + "VALUES ('00000000-0000-0000-0000-000000000001', 'a.test', 'pageview', TIMESTAMPTZ '2026-01-01 10:00:00+00', "
                    + "'www.google.com', 'search', 's1', 1)");
            assertEquals(7, Migrations.apply(c, Dialect.DUCKDB, 7), "the rollup filled by migration 3");
            assertEquals(LATEST, Migrations.apply(c, Dialect.DUCKDB));
            assertEquals(freshEvents, names(c, "events"), "upgraded like fresh");
            assertEquals(freshSessions, names(c, SessionRollup.TABLE), "upgraded like fresh");
            String stored = "SELECT e.referrer_host || '|' || coalesce(e.referrer_source, 'null') || '|' || s.referrer_host || '|' "
                    + "|| coalesce(s.referrer_source, 'null') FROM events e, footfall_sessions s";
            List<String> before = strings(st, stored);
            assertEquals(List.of("www.google.com|google.com|www.google.com|google.com"), before,
                    "stored rows take their host without www. (the lists' names need the enricher)");
            assertEquals(LATEST, Migrations.apply(c, Dialect.DUCKDB), "again: a no-op");
            assertEquals(versions(), recorded(c));
            assertEquals(before, strings(st, stored));
            SessionRollup.rebuild(c, Dialect.DUCKDB);
            assertEquals(freshSessions, names(c, SessionRollup.TABLE), "promote's rebuild like fresh");
        }
    }

    private static List<String> strings(Statement st, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static List<String> names(Connection c, String table) throws SQLException {
        return columns(c, table).stream().map(column -> column.substring(0, column.indexOf(' '))).toList();
    }

    @Test
    void aReplayTableHasTheLiveTablesColumns() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            Migrations.apply(c, Dialect.DUCKDB);
            for (String sql : Migrations.eventsTableStatements(Dialect.DUCKDB, "events_v2")) {
                st.execute(sql);
            }
            assertEquals(columns(c, "events"), columns(c, "events_v2"));
        }
    }

    @Test
    void tableNamesAreCheckedBeforeTheyReachSql() {
        assertThrows(IllegalArgumentException.class, () -> Migrations.eventsTableSql(Dialect.DUCKDB, "events; DROP TABLE x"));
        assertThrows(IllegalArgumentException.class, () -> Migrations.checkTableName("Events"));
        assertEquals("events_v2", Migrations.checkTableName("events_v2"));
    }

    private static List<Integer> versions() {
        return Migrations.ALL.stream().map(Migrations.Migration::version).toList();
    }

    static List<Integer> recorded(Connection c) throws SQLException {
        List<Integer> versions = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM footfall_schema_version ORDER BY version")) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        return versions;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> columns(Connection c, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_name = '"
                        + table + "' ORDER BY ordinal_position")) {
            while (rs.next()) {
                columns.add(rs.getString(1));
            }
        }
        return columns;
    }
}
