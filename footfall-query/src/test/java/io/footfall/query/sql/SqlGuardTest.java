package io.footfall.query.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The lexer wall on its own: what it admits and what it refuses, including text it must see through. */
class SqlGuardTest {

    @ParameterizedTest
    @CsvSource(delimiter = '\t', value = {
            "SELECT 1\tSELECT 1",
            "select 1;\tselect 1",
            "SELECT 1 ;  ;\tSELECT 1",
            "WITH x AS (SELECT 1) SELECT * FROM x\tWITH x AS (SELECT 1) SELECT * FROM x",
            "SELECT ';DROP TABLE events' AS s\tSELECT ';DROP TABLE events' AS s",
            "SELECT 'it''s' -- delete\tSELECT 'it''s' -- delete",
            "SELECT \"update\" FROM t\tSELECT \"update\" FROM t",
            "SELECT 1 /* ; insert */\tSELECT 1 /* ; insert */",
            "SELECT count(*) FROM events WHERE path = '/read_csv('\tSELECT count(*) FROM events WHERE path = '/read_csv('",
            "SELECT extract(year FROM received_at), trim(BOTH 'x' FROM path) FROM \"events\"\tSELECT extract(year FROM received_at), trim(BOTH 'x' FROM path) FROM \"events\"",
            "SELECT substring('abc' FROM 2) FROM events\tSELECT substring('abc' FROM 2) FROM events",
            "SELECT path FROM events WHERE site IN ('a', 'b') ORDER BY 1\tSELECT path FROM events WHERE site IN ('a', 'b') ORDER BY 1",
            "SELECT * FROM events e JOIN footfall_sessions s ON s.site = e.site AND e.path = '/a', footfall_sessions t\tSELECT * FROM events e JOIN footfall_sessions s ON s.site = e.site AND e.path = '/a', footfall_sessions t",
            "SELECT e.* FROM events e, (SELECT 'x' AS a, 'y' AS b) s\tSELECT e.* FROM events e, (SELECT 'x' AS a, 'y' AS b) s",
            "SELECT (SELECT max(path) FROM events), 'literal' FROM \"main\".\"events\"\tSELECT (SELECT max(path) FROM events), 'literal' FROM \"main\".\"events\"",
            "SELECT * FROM (FROM events SELECT 'a', 'b')\tSELECT * FROM (FROM events SELECT 'a', 'b')",
            "SELECT count(*) AS load, 1 AS comment, 2 AS do FROM events\tSELECT count(*) AS load, 1 AS comment, 2 AS do FROM events",
            "SELECT table_name, comment FROM duckdb_tables()\tSELECT table_name, comment FROM duckdb_tables()",
            "SELECT path FROM events WHERE path IS DISTINCT FROM '/' OR path IS NOT DISTINCT FROM '/a'\tSELECT path FROM events WHERE path IS DISTINCT FROM '/' OR path IS NOT DISTINCT FROM '/a'",
            "SELECT * FROM events e JOIN footfall_sessions s ON s.site = e.site AND e.type = ['pageview', 'event'][1]\tSELECT * FROM events e JOIN footfall_sessions s ON s.site = e.site AND e.type = ['pageview', 'event'][1]",
            "SELECT 1 /* note /* nested */ it's fine */\tSELECT 1 /* note /* nested */ it's fine */",
            "SELECT E'it\\'s'\tSELECT E'it\\'s'",
            "SELECT position('a' IN path), overlay(path PLACING 'x' FROM 1 FOR 1) FROM events\tSELECT position('a' IN path), overlay(path PLACING 'x' FROM 1 FOR 1) FROM events"})
    void admitsOneSelect(String sql, String expected) throws Exception {
        assertEquals(expected, SqlGuard.check(sql));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '\t', value = {
            "SELECT 1; SELECT 2\t400",
            "SELECT 'a'; DELETE FROM events\t400",
            "SELECT E'\\\\'; DROP TABLE events; --'\t400",
            "EXPLAIN SELECT 1\t400",
            "VALUES (1)\t400",
            "COPY (SELECT 1) TO '/tmp/x'\t400",
            "SELECT 1 FROM events FOR UPDATE\t403",
            "SELECT * FROM READ_CSV ('/etc/passwd')\t403",
            "SELECT * FROM 'data.parquet'\t403",
            "WITH d AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM d\t403",
            "SELECT * FROM events, 'data.csv'\t403",
            "SELECT * FROM events e, ('data.csv')\t403",
            "SELECT * FROM ((('data.csv')))\t403",
            "SELECT * FROM \"data.csv\"\t403",
            "SELECT * FROM events e, \"backups/x\"\t403",
            "SELECT * FROM events e, LATERAL (FROM \"data.csv\")\t403",
            "SELECT (SELECT b FROM 'data.csv')\t403",
            "SELECT * FROM (PIVOT 'data.csv' ON a USING count(*))\t403",
            "SELECT * FROM (UNPIVOT 'data.csv' ON a INTO NAME n VALUE v)\t403",
            "SELECT * FROM (SUMMARIZE 'data.csv')\t403",
            "SELECT * FROM (DESCRIBE 'data.csv')\t403",
            "SELECT * FROM (TABLE \"data.csv\")\t403",
            "SELECT * FROM events e JOIN footfall_sessions s ON true, 'data.csv'\t403",
            "SELECT * FROM events e, E'data.csv'\t403",
            "SELECT * FROM events e, U&'data.csv'\t403",
            "SELECT * FROM events e, $$data.csv$$\t400",
            "SELECT * FROM read_duckdb('x.duckdb')\t403",
            "SELECT * --\rFROM 'data.csv'\t403",
            "SELECT 1 --\r; DROP TABLE events\t400",
            "SELECT * /* /* */ ' */ FROM 'data.csv' --'\t403",
            "SELECT E'\\' ' AS q, * FROM 'data.csv' --'\t403",
            "SELECT $a\u00b7$ ' $a\u00b7$ AS x, * FROM 'data.csv' --'\t400",
            "SELECT $$;drop$$\t400",
            "SELECT * FROM (WITH y AS (SELECT 1) FROM 'data.csv')\t403",
            "SELECT * FROM (DESCRIBE FROM 'data.csv')\t403",
            "SELECT * FROM (VALUES ('v', 0) UNION ALL FROM 'data.csv')\t403",
            "SELECT * FROM ((SELECT 'v' AS a) UNION ALL FROM 'data.csv')\t403",
            "SELECT * FROM \"read_csv\"('data.csv')\t403",
            "SELECT * FROM \"READ_TEXT\"('data.csv')\t403",
            "SELECT * FROM read_single_csv_file('data.csv')\t403",
            "SELECT * FROM read_json_objects_auto('data.json')\t403",
            "SELECT * FROM parquet_full_metadata('data.parquet')\t403",
            "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))\t403",
            "SELECT * FROM truncate_duckdb_logs()\t403",
            "SELECT U&\"pg\\005fread_file\"('/etc/hostname')\t400",
            "SELECT u&\"set\\005fconfig\"('role', 'none', true)\t400",
            "SELECT * FROM ts_stat('SELECT to_tsvector(pg_read_file(''/etc/hostname''))')\t403",
            "SELECT pg_advisory_lock(1)\t403",
            "SELECT pg_try_advisory_xact_lock(1)\t403",
            "SELECT pg_create_physical_replication_slot('s')\t403",
            "SELECT pg_switch_wal()\t403",
            "SELECT query_to_xml('SELECT 1', true, true, '')\t403",
            "SELECT table_to_xml('events', true, true, '')\t403",
            "WITH a AS NOT MATERIALIZED (SELECT 1) SELECT * FROM a\t400",
            "SELECT {fn pg_read_file\u0001('/etc/hostname')} AS f\t400",
            "SELECT\u001c1\t400",
            "SELECT * FROM pg_authid\t403",
            "SELECT * FROM pg_catalog.\"pg_shadow\"\t403",
            "SELECT name, setting FROM pg_settings\t403",
            "SELECT 'x' AS a --\u0000 .range(1)\t400",
            "SELECT 'x' AS a UNION DISTINCT FROM 'data.csv'\t403",
            "SELECT query FROM pg_stat_get_activity(NULL)\t403",
            "SELECT * FROM pg_show_all_file_settings()\t403",
            "SELECT * FROM pg_stats\t403",
            "SELECT * FROM pg_logical_slot_get_changes('s', NULL, NULL)\t403",
            "SELECT count(*) FROM events GROUP BY CUBE(a, b, c, d, e, f, g, h, i)\t400",
            "SELECT 1 /* unterminated\t400",
            "SELECT $tag$ never closed\t400"})
    void refusesEverythingElse(String sql, int status) {
        RefusedSqlException e = assertThrows(RefusedSqlException.class, () -> SqlGuard.check(sql));
        assertEquals(status, e.status(), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void atMostSixtyFourTablesInOneStatement() throws Exception {
        StringBuilder sql = new StringBuilder("SELECT count(*) FROM range(1) t0");
        for (int i = 1; i < ParserCheck.MAX_TABLES; i++) {
            sql.append(i % 2 == 0 ? ", range(1) t" + i : " JOIN range(1) t" + i + " ON true");
        }
        SqlGuard.check(sql.toString());
        RefusedSqlException e = assertThrows(RefusedSqlException.class, () -> SqlGuard.check(sql + " JOIN range(1) tx ON true"));
        assertEquals(400, e.status());
        assertEquals("more than 64 tables in one statement", e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void atMostSixtyFourParenthesesDeep() throws Exception {
        SqlGuard.check("SELECT " + "(".repeat(SqlGuard.MAX_DEPTH) + "1" + ")".repeat(SqlGuard.MAX_DEPTH));
        RefusedSqlException e = assertThrows(RefusedSqlException.class,
                () -> SqlGuard.check("SELECT " + "(".repeat(SqlGuard.MAX_DEPTH + 1) + "1" + ")".repeat(SqlGuard.MAX_DEPTH + 1)));
        assertEquals(400, e.status());
    }

    @org.junit.jupiter.api.Test
    void setOperationChainsAndCubesAreBounded() throws Exception {
        SqlGuard.check("SELECT 1" + " INTERSECT SELECT 1".repeat(SqlGuard.MAX_SET_OPERATIONS));
        assertEquals(400, assertThrows(RefusedSqlException.class,
                () -> SqlGuard.check("SELECT 1" + " INTERSECT SELECT 1".repeat(SqlGuard.MAX_SET_OPERATIONS + 1))).status());
        SqlGuard.check("SELECT 1" + " UNION ALL SELECT 1".repeat(200)); // DuckDB keeps UNIONs as a flat list: fast
        SqlGuard.check("SELECT count(*) FROM events GROUP BY CUBE(a, (b, c), d, e, f, g, h, i)");
    }
}
