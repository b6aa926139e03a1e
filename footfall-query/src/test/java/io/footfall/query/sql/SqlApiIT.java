package io.footfall.query.sql;

import static io.footfall.query.testing.TestWarehouse.Row.pageview;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.footfall.core.config.QueryConfig;
import io.footfall.query.QueryServer;
import io.footfall.query.testing.TestWarehouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /api/sql} against DuckDB and PostgreSQL: a SELECT answers rows; every other form is refused. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    private final Map<String, TestWarehouse> warehouses = new HashMap<>();
    private final Map<String, QueryServer> servers = new HashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();
    private ApiToken token;

    @BeforeAll
    void start() throws Exception {
        token = ApiToken.loadOrCreate(dir);
        Files.writeString(dir.resolve("secret.csv"), "a,b\n1,2\n");
        QueryConfig config = new QueryConfig("127.0.0.1", 0, Duration.ofSeconds(1), 20, "", 2);
        for (String dialect : List.of("duckdb", "postgres")) {
            TestWarehouse w = TestWarehouse.of(dialect, dir, "sql");
            for (int i = 0; i < 3; i++) {
                w.insert(pageview("2026-11-10T10:00:0" + i + "Z", "v" + i, "s" + i, 1, "/p" + i));
            }
            // With backups on, as the product runs it: DuckDB may write in dir/backups, and still nowhere else.
            QueryServer server = new QueryServer(config, w, () -> "").withSqlToken(token).withBackups(token, dir.resolve("backups"));
            warehouses.put(dialect, w);
            servers.put(dialect, server);
            ports.put(dialect, server.start());
        }
    }

    @AfterAll
    void stop() {
        servers.values().forEach(QueryServer::close);
        warehouses.values().forEach(TestWarehouse::close);
    }

    private HttpResponse<String> post(String dialect, String authorization, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(dialect) + "/api/sql"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> sql(String dialect, String sql) throws Exception {
        return post(dialect, "Bearer " + token.value(), "text/plain", sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void aSelectReturnsRows(String dialect) throws Exception {
        HttpResponse<String> r = sql(dialect, "SELECT path, count(*) AS n FROM events GROUP BY path ORDER BY path;");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("path", body.get("columns").get(0).get("name").asText());
        assertEquals("n", body.get("columns").get(1).get("name").asText());
        assertEquals("[[\"/p0\",1],[\"/p1\",1],[\"/p2\",1]]", body.get("rows").toString());
        assertEquals(3, body.get("row_count").asInt());
        assertEquals(false, body.get("truncated").asBoolean());

        HttpResponse<String> json = post(dialect, "Bearer " + token.value(), "application/json",
                "{\"sql\":\"WITH x AS (SELECT count(*) AS n FROM events) SELECT n FROM x\"}");
        assertEquals(200, json.statusCode(), json.body());
        assertEquals("[[3]]", JSON.readTree(json.body()).get("rows").toString());
    }

    /** What analysts write every day answers on both walls: no false refusal of an ordinary query. */
    @ParameterizedTest
    @CsvSource(delimiter = '\t', value = {
            "duckdb\tSELECT date_trunc('day', received_at) AS d, count(DISTINCT visitor_id) AS v FROM events WHERE site = 'fix.test' GROUP BY 1 ORDER BY 1",
            "duckdb\tSELECT path, count(*) FILTER (WHERE is_new_session) AS entries, row_number() OVER (ORDER BY count(*) DESC) AS r FROM events GROUP BY path QUALIFY r <= 10",
            "duckdb\tWITH s AS (SELECT session_id, min(received_at) AS t FROM events GROUP BY 1) SELECT count(*) FROM s JOIN footfall_sessions f USING (session_id)",
            "duckdb\tSELECT json_extract_string(props, '$.plan') AS plan, extract(hour FROM received_at) AS h, count(*) FROM events GROUP BY ALL",
            "duckdb\tSELECT x, count(e.path) FROM range(3) t(x) LEFT JOIN events e ON e.session_seq = x GROUP BY x ORDER BY x",
            "duckdb\tSELECT string_split(path, '/')[2] AS section, unnest([1, 2]) AS n FROM events WHERE path IS DISTINCT FROM '/'",
            "duckdb\tSELECT table_name, comment FROM duckdb_tables() ORDER BY 1",
            "duckdb\tSELECT * FROM events USING SAMPLE 2 ROWS",
            "duckdb\tSELECT count(*) FROM information_schema.tables WHERE table_name = 'events'",
            "duckdb\tSELECT count(*) FROM main.events JOIN \"footfall_sessions\" USING (session_id)",
            "duckdb\tWITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
            "postgres\tSELECT date_trunc('day', received_at) AS d, count(DISTINCT visitor_id) AS v FROM events WHERE site = 'fix.test' GROUP BY 1 ORDER BY 1",
            "postgres\tSELECT path, count(*) FILTER (WHERE is_new_session) AS entries FROM events GROUP BY path ORDER BY 2 DESC LIMIT 10",
            "postgres\tWITH s AS (SELECT session_id, min(received_at) AS t FROM events GROUP BY 1) SELECT count(*) FROM s JOIN footfall_sessions f USING (session_id)",
            "postgres\tSELECT props->>'plan' AS plan, extract(hour FROM received_at) AS h, count(*) FROM events GROUP BY 1, 2",
            "postgres\tSELECT x, count(e.path) FROM generate_series(0, 2) AS x LEFT JOIN events e ON e.session_seq = x GROUP BY x ORDER BY x",
            "postgres\tSELECT split_part(path, '/', 2) AS section FROM events WHERE path IS DISTINCT FROM '/' AND path NOT LIKE '%\\_x%'"})
    void everydayQueriesAnswer(String dialect, String sql) throws Exception {
        HttpResponse<String> r = sql(dialect, sql);
        assertEquals(200, r.statusCode(), dialect + ": " + sql + " -> " + r.body());
    }

    /**
     * {@code Accept: text/csv}: the same rows as a spreadsheet opens them. A field with a comma, a quote or a line
     * break is quoted; NULL is empty; text that a spreadsheet would run as a formula is defused with a {@code '}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void csvOnRequest(String dialect) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(dialect) + "/api/sql"))
                .header("Authorization", "Bearer " + token.value()).header("Accept", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("SELECT path, count(*) AS n, 'a,b \"c\"' AS q, NULL AS none, "
                        + "'=1+2' AS formula, -1.5 AS neg, 'two' || chr(10) || 'lines' AS l FROM events GROUP BY path ORDER BY path"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/csv; charset=utf-8; header=present", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("3", r.headers().firstValue("X-Row-Count").orElse(""));
        assertEquals("false", r.headers().firstValue("X-Truncated").orElse(""));
        String row = ",1,\"a,b \"\"c\"\"\",,'=1+2,-1.5,\"two\nlines\"\r\n";
        assertEquals("path,n,q,none,formula,neg,l\r\n/p0" + row + "/p1" + row + "/p2" + row, r.body());
    }

    /**
     * Every kind of value reads the same on both warehouses and in any server time zone: timestamps with a zone as
     * UTC instants, without as local ISO 8601, binary data as {@code \x} and hex, lists as JSON arrays, structs and
     * maps as JSON objects, the rest as the database's text, infinities as PostgreSQL writes them. Run in UTC, with
     * the JVM in Asia/Kolkata (+05:30), where a value read through the JVM's zone would move by 5.5 hours, and in
     * Europe/Berlin, where 2026-03-29 02:30 falls in the DST gap (through the JVM's zone it reads 03:30).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '\t', value = {
            "duckdb\tUTC", "duckdb\tAsia/Kolkata", "duckdb\tEurope/Berlin",
            "postgres\tUTC", "postgres\tAsia/Kolkata", "postgres\tEurope/Berlin"})
    void everyKindOfValueReadsAsDocumented(String dialect, String zone) throws Exception {
        String duckDb = "SELECT 'ab'::BLOB AS b, [1, 2] AS l, ['a', NULL, 'null'] AS ln, {'x': 1, 'y': [TIMESTAMP '2026-01-01 10:00:00']} AS s, "
                + "MAP {'k': 'v'} AS m, TIMESTAMP '2026-01-01 10:00:00.5' AS ts, TIMESTAMPTZ '2026-01-01 10:00:00+02' AS tz, "
                + "[TIMESTAMPTZ '2026-01-01 10:00:00.25+02'] AS tzl, DATE '2026-01-01' AS d, TIME '10:00:00' AS t, INTERVAL 3 DAY AS i, "
                + "'{\"a\":1}'::JSON AS j, 1.50::DECIMAL(5,2) AS dec, 'c5b0e5b8-0c1a-4d3e-9c55-0a5b5bb0b0b0'::UUID AS u, "
                + "(SELECT min(received_at) FROM events) AS r, TIMESTAMP '2026-03-29 02:30:00' AS gap, 'infinity'::TIMESTAMPTZ AS inf, "
                + "['-infinity'::DATE] AS odd, [TIMESTAMP '2026-01-01 10:00:00.5'] AS odd2";
        String postgres = "SELECT 'ab'::bytea AS b, ARRAY[1, 2] AS l, ARRAY['a', NULL, 'null'] AS ln, ROW(1, 'x') AS s, "
                + "'<a/>'::xml AS m, timestamp '2026-01-01 10:00:00.5' AS ts, timestamptz '2026-01-01 10:00:00+02' AS tz, "
                + "ARRAY[timestamptz '2026-01-01 10:00:00.25+02'] AS tzl, date '2026-01-01' AS d, time '10:00:00' AS t, interval '3 days' AS i, "
                + "'{\"a\":1}'::json AS j, 1.50::numeric(5,2) AS dec, 'c5b0e5b8-0c1a-4d3e-9c55-0a5b5bb0b0b0'::uuid AS u, "
                + "(SELECT min(received_at) FROM events) AS r, timestamp '2026-03-29 02:30:00' AS gap, 'infinity'::timestamptz AS inf, "
                + "ARRAY['NaN'::numeric, 1.5] AS odd, ARRAY['101'::bit(3)] AS odd2";
        String struct = dialect.equals("duckdb") ? "{\"x\":1,\"y\":[\"2026-01-01T10:00:00\"]},{\"k\":\"v\"}" : "\"(1,x)\",\"<a/>\"";
        String expected = "[[\"\\\\x6162\",[1,2],[\"a\",null,\"null\"]," + struct + ",\"2026-01-01T10:00:00.5\",\"2026-01-01T08:00:00Z\","
                + "[\"2026-01-01T08:00:00.25Z\"],\"2026-01-01\",\"10:00:00\",\"3 days\",\"{\\\"a\\\":1}\",1.5,"
                + "\"c5b0e5b8-0c1a-4d3e-9c55-0a5b5bb0b0b0\",\"2026-11-10T10:00:00Z\",\"2026-03-29T02:30:00\",\"infinity\","
                + (dialect.equals("duckdb") ? "[\"-infinity\"],[\"2026-01-01T10:00:00.5\"]" : "[\"NaN\",1.5],[\"101\"]") + "]]";
        java.util.TimeZone before = java.util.TimeZone.getDefault();
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone(zone));
        try {
            HttpResponse<String> r = sql(dialect, dialect.equals("duckdb") ? duckDb : postgres);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(expected, JSON.readTree(r.body()).get("rows").toString());
            assertTrue(r.body().contains(",1.50,"), "a decimal keeps its scale: " + r.body());

            HttpResponse<String> csv = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(dialect) + "/api/sql"))
                    .header("Authorization", "Bearer " + token.value()).header("Accept", "text/csv")
                    .POST(HttpRequest.BodyPublishers.ofString("SELECT " + (dialect.equals("duckdb") ? "[1, NULL]" : "ARRAY[1, NULL]")
                            + " AS l, (SELECT min(received_at) FROM events) AS r")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("l,r\r\n\"[1,null]\",2026-11-10T10:00:00Z\r\n", csv.body());
        } finally {
            java.util.TimeZone.setDefault(before);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void withoutTheTokenNothingRuns(String dialect) throws Exception {
        assertEquals(401, post(dialect, null, "text/plain", "SELECT 1").statusCode());
        assertEquals(401, post(dialect, "Bearer wrong", "text/plain", "SELECT 1").statusCode());
        assertEquals(401, post(dialect, "Basic " + token.value(), "text/plain", "SELECT 1").statusCode());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '\t', value = {
            "DROP TABLE events\t400",
            "DELETE FROM events\t400",
            "INSERT INTO events (event_id, site, type, received_at) VALUES ('00000000-0000-0000-0000-000000000001', 'x', 'pageview', now())\t400",
            "UPDATE events SET site = 'x'\t400",
            "CREATE TABLE stolen AS SELECT * FROM events\t400",
            "ALTER TABLE events ADD COLUMN x INT\t400",
            "TRUNCATE events\t400",
            "SELECT 1; SELECT 2\t400",
            "SELECT 1; DROP TABLE events\t400",
            "SELECT 1 /* hidden */ ; DELETE FROM events --\t400",
            "COPY events TO '/tmp/footfall-stolen.csv'\t400",
            "ATTACH '/tmp/footfall-other.db' AS other\t400",
            "PRAGMA database_list\t400",
            "SET threads = 1\t400",
            "INSTALL httpfs\t400",
            "LOAD httpfs\t400",
            "WITH d AS (DELETE FROM events RETURNING *) SELECT count(*) FROM d\t403",
            "SELECT * FROM events FOR UPDATE\t403",
            "SELECT * FROM read_csv('/etc/passwd')\t403",
            "SELECT * FROM read_csv_auto('/etc/passwd')\t403",
            "SELECT * FROM read_parquet('https://example.com/x.parquet')\t403",
            "SELECT * FROM '/etc/passwd'\t403",
            "SELECT * FROM events JOIN 'secret.csv' ON true\t403",
            "SELECT getenv('HOME')\t403",
            "SELECT * FROM query('DROP TABLE events')\t403",
            "SELECT pg_read_file('/etc/passwd')\t403",
            "SELECT set_config('statement_timeout', '0', false)\t403",
            "SELECT 'unterminated\t400",
            "\t400"})
    void everyOtherFormIsRefusedAndChangesNothing(String sql, int status) throws Exception {
        for (String dialect : List.of("duckdb", "postgres")) {
            HttpResponse<String> r = sql(dialect, sql == null ? "" : sql);
            assertEquals(status, r.statusCode(), dialect + ": " + sql + " -> " + r.body());
            assertEquals(3, count(dialect), "events untouched after " + sql);
        }
    }

    /**
     * The last wall: whatever got past the lexer and the parser check still cannot read a file outside the backups
     * directory, because DuckDB itself has external access disabled — and no SET can switch it back on.
     */
    @Test
    void duckDbItselfRefusesFileAccess() throws Exception {
        String csv = dir.resolve("secret.csv").toString();
        try (Connection c = warehouses.get("duckdb").readConnection(); Statement st = c.createStatement();
             Statement st2 = c.createStatement()) {
            SQLException refused = assertThrows(SQLException.class, () -> st.executeQuery("SELECT * FROM read_csv('" + csv + "')"));
            assertTrue(refused.getMessage().contains("Permission Error"), refused.getMessage());
            SQLException locked = assertThrows(SQLException.class, () -> st2.execute("SET enable_external_access = true"));
            assertTrue(locked.getMessage().toLowerCase().contains("lock"), locked.getMessage());
        }
    }

    /**
     * The backups' staging directory ({@code backups/.partial}, where a copy is written before it is moved among the
     * backups) is the one place the locked-down DuckDB may still reach, so there the lexer and the parser check are the
     * only walls: every way DuckDB has of reading a file named where a table goes is refused. The direct read at the
     * end shows DuckDB itself would have answered each of them. (The staging directory holds nothing but the copy under
     * way; the finished backups are out of DuckDB's reach: {@link #finishedBackupsAreOutOfDuckDbsReach}.)
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM events, '@'",
            "SELECT * FROM events e, ('@')",
            "SELECT * FROM (('@'))",
            "SELECT * FROM \"@\"",
            "SELECT * FROM events e, LATERAL (FROM \"@\")",
            "SELECT (SELECT b FROM '@')",
            "SELECT * FROM events e JOIN '@' t ON true",
            "SELECT * FROM (PIVOT '@' ON a USING count(*))",
            "SELECT * FROM (UNPIVOT '@' ON a INTO NAME n VALUE v)",
            "SELECT * FROM (SUMMARIZE '@')",
            "SELECT * FROM (DESCRIBE '@')",
            "SELECT * FROM (TABLE \"@\")",
            "SELECT * --\rFROM '@'",
            "SELECT * /* /* */ ' */ FROM '@' --'",
            "SELECT E'\\' ' AS q, * FROM '@' --'",
            "SELECT * FROM (WITH y AS (SELECT 1) FROM '@')",
            "SELECT * FROM (DESCRIBE FROM '@')",
            "SELECT * FROM (SUMMARIZE FROM '@')",
            "SELECT * FROM (VALUES ('v', 0) UNION ALL FROM '@')",
            "SELECT * FROM ((SELECT 'v' AS a, 0 AS b) UNION ALL FROM '@')",
            "SELECT * FROM \"read_csv\"('@')",
            "SELECT * FROM \"read_text\"('@')",
            "SELECT * FROM read_single_csv_file('@')",
            "SELECT * FROM \"glob\"('@')",
            "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT * FROM ''@'''))",
            "SELECT * FROM t: \"#\".csv",
            "SELECT * FROM events e JOIN t: \"#\".csv ON true",
            "SELECT (SELECT b FROM t: \"#\".csv)",
            // binds its SQL text, and binding samples the file: the value shows in the error DuckDB returns
            "SELECT json_serialize_plan('SELECT COLUMNS(lambda c: c::INT > 0) FROM read_csv(''@'', skip=1, header=true)') AS p",
            // four parts, globs: DuckDB joins them all into the path; the working directory's first subdirectory leads up
            "SELECT * FROM \"*[a-z\".\"]/../../../../../../../../../../..%\".\"]\".csv",
            // a NUL ends the text for DuckDB's execution, not for its json_serialize_sql: the check saw a table function
            "SELECT 'x' AS a, 0 AS b UNION DISTINCT FROM \".\".\"/../../../../../../../../../..@\" --\u0000\n.range(1)"})
    void noFileInTheBackupsDirectoryCanBeRead(String form) throws Exception {
        Path file = dir.resolve("backups").resolve(".partial").resolve("copied.csv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "a,b\n1,from-the-backups-dir\n");
        // @: the file's path; #: the same without ".csv" (DuckDB joins a name's parts with dots into the path)
        String sql = form.replace("@", file.toString()).replace("#", file.toString().replaceAll("\\.csv$", ""))
                .replace("%", file.toString().replaceAll("d\\.csv$", "[d"));
        HttpResponse<String> r = sql("duckdb", sql);
        assertTrue(r.statusCode() == 403 || r.statusCode() == 400, sql + " -> " + r.statusCode() + " " + r.body());
        assertTrue(!r.body().contains("from-the-backups-dir"), r.body());

        try (Connection c = warehouses.get("duckdb").readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql.replace("events e,", "(SELECT 1) e,").replace("FROM events,", "FROM (SELECT 1) x,"))) {
            assertTrue(rs.next(), "DuckDB reads " + sql + " when asked directly");
        }
    }

    /**
     * While a backup is written its copy is attached to the same DuckDB instance (as {@code footfall_copy}); a statement
     * holding it made the copy incomplete. Only the warehouse's own catalog (and DuckDB's built-in ones) can be named.
     */
    @Test
    void aDatabaseAttachedForABackupCannotBeNamed() throws Exception {
        Path staging = dir.resolve("backups").resolve(".partial");
        Files.createDirectories(staging);
        sql("duckdb", "SELECT 1"); // locked down from the first statement on
        try (Connection c = warehouses.get("duckdb").readConnection(); Statement st = c.createStatement()) {
            st.execute("ATTACH '" + staging.resolve("copy.duckdb") + "' AS footfall_copy");
            try {
                st.execute("CREATE TABLE footfall_copy.events AS SELECT 1 AS x");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM footfall_copy.events")) {
                    assertTrue(rs.next(), "DuckDB reads it when asked directly");
                }
                HttpResponse<String> r = sql("duckdb", "SELECT count(*) FROM footfall_copy.events");
                assertEquals(400, r.statusCode(), r.body());
                assertTrue(r.body().contains("no table, view or WITH query named 'footfall_copy.events'"), r.body());
            } finally {
                st.execute("DETACH footfall_copy");
            }
        }
    }

    /** A finished backup lies outside the one directory DuckDB may read: DuckDB itself refuses it, asked directly. */
    @Test
    void finishedBackupsAreOutOfDuckDbsReach() throws Exception {
        Path file = dir.resolve("backups").resolve("finished.csv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "a,b\n1,from-a-finished-backup\n");
        sql("duckdb", "SELECT 1"); // the lock-down is in place from the first statement on
        try (Connection c = warehouses.get("duckdb").readConnection(); Statement st = c.createStatement()) {
            SQLException refused = assertThrows(SQLException.class, () -> st.executeQuery("SELECT * FROM '" + file + "'"));
            assertTrue(refused.getMessage().contains("Permission Error"), refused.getMessage());
        }
    }

    /**
     * Text a hand-made lexer and the database read differently (a line comment ended by a carriage return, nested
     * comments, an escaped quote) once carried a second statement past the lexer, and DuckDB's JDBC runs every statement
     * but the last while it prepares: a {@code COMMIT} then wrote to the live warehouse. The database's own parser now
     * counts the statements; nothing here may change a table or write a file.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT 1 --\r; CREATE TABLE pwned AS SELECT 42 AS x; SELECT 2",
            "SELECT 1 --\r; COMMIT; CREATE TABLE pwned AS SELECT 42 AS x; COMMIT; SELECT 2",
            "SELECT 1 --\r; COMMIT; DROP TABLE events; BEGIN; SELECT 2",
            "SELECT 1 --\r; COMMIT; DELETE FROM events; BEGIN; SELECT 2",
            "SELECT 1 --\r; COPY (SELECT 'stolen' AS x) TO '@/w1.csv'; SELECT 2",
            "SELECT 1 /* /* */ ; COMMIT; DELETE FROM events; BEGIN; SELECT 2 /* */ */",
            "SELECT 1 /* /* */ */; COMMIT; DELETE FROM events; BEGIN; SELECT 2 --",
            "SELECT E'\\' ; COMMIT; DELETE FROM events; BEGIN; SELECT ' AS s",
            "SELECT 1 AS a --\r; COMMIT; DELETE FROM events; BEGIN; SELECT 2"})
    void noSecondStatementGetsThrough(String form) throws Exception {
        Path backups = dir.resolve("backups");
        Files.createDirectories(backups);
        String sql = form.replace("@", backups.toString());
        for (String dialect : List.of("duckdb", "postgres")) {
            HttpResponse<String> r = sql(dialect, sql);
            assertEquals(3, count(dialect), dialect + ": events untouched after " + sql + " -> " + r.body());
            assertTrue(!tableExists(dialect, "pwned"), dialect + ": no table made by " + sql + " -> " + r.body());
            assertTrue(!Files.exists(backups.resolve("w1.csv")), dialect + ": no file written by " + sql + " -> " + r.body());
            // Two are one statement to the database (all of it a string, all of it a comment): those may answer.
            if (!form.startsWith("SELECT E") && !form.endsWith("*/")) {
                assertEquals(400, r.statusCode(), dialect + ": " + sql + " -> " + r.body());
            }
        }
    }

    /** pgjdbc rewrites JDBC escapes after every check has read the text; the SQL API turns them off. */
    @Test
    void jdbcEscapesAreNotRewrittenOnPostgres() throws Exception {
        HttpResponse<String> r = sql("postgres", "SELECT {fn ucase('a')} AS u");
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("sql_error", JSON.readTree(r.body()).get("error").asText(), r.body());
    }

    /**
     * A name DuckDB does not have is read as a file: refused before it runs, wherever it points; a WITH query answers to
     * its bare name only (DuckDB opens the file main.parquet for main.parquet, CTE or not).
     */
    @ParameterizedTest
    @ValueSource(strings = {"SELECT * FROM no_such_table", "WITH parquet AS (SELECT 1) SELECT * FROM main.parquet",
            "SELECT * FROM main.parquet, (WITH parquet AS (SELECT 1) SELECT 1)"})
    void aTableNameTheDatabaseDoesNotHaveIsRefused(String sql) throws Exception {
        HttpResponse<String> r = sql("duckdb", sql);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("no table, view or WITH query named"), r.body());
    }

    private boolean tableExists(String dialect, String table) throws SQLException {
        try (Connection c = warehouses.get(dialect).readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_name = '" + table + "'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    /** DuckDB's planner overflows the native stack (the JVM dies) at a few hundred joins: 65 tables are refused. */
    @Test
    void tooManyTablesAreRefusedAndTheServerLivesOn() throws Exception {
        StringBuilder many = new StringBuilder("SELECT count(*) FROM range(1) t0");
        for (int i = 1; i < 1000; i++) {
            many.append(" JOIN range(1) t").append(i).append(" ON true");
        }
        HttpResponse<String> r = sql("duckdb", many.toString());
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("more than 64 tables"), r.body());
        assertEquals(200, sql("duckdb", "SELECT 1").statusCode());
        // nested correlated subqueries: DuckDB's binder recursed past a 1-MB stack at 140 levels and killed the JVM
        int n = 150;
        HttpResponse<String> deep = sql("duckdb", "SELECT " + "(SELECT ".repeat(n) + "t.x + 1" + ")".repeat(n) + " FROM (SELECT 1 AS x) t");
        assertEquals(400, deep.statusCode(), deep.body());
        assertEquals(200, sql("duckdb", "SELECT 1").statusCode());
    }

    /**
     * {@code query.sqlUser}: user SQL on PostgreSQL logs in as a role of its own, which no statement can shed (a {@code
     * SET ROLE} can be undone by the session's user; a login cannot). The warehouse user, a superuser here, reads
     * {@code pg_largeobject} (large objects: superuser-only); the SQL API's login does not. A login PostgreSQL refuses stops the start, naming it.
     */
    @Test
    void postgresUserSqlRunsUnderALoginOfItsOwn() throws Exception {
        TestWarehouse w = warehouses.get("postgres");
        String login = "footfall_sql_" + Long.toHexString(System.nanoTime());
        try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + login + " LOGIN");
            st.execute("GRANT USAGE ON SCHEMA " + w.pgSchema() + " TO " + login);
            st.execute("GRANT SELECT ON ALL TABLES IN SCHEMA " + w.pgSchema() + " TO " + login);
        }
        QueryConfig base = new QueryConfig("127.0.0.1", 0, Duration.ofSeconds(1), 20, "", 2);
        QueryServer server = new QueryServer(base.withSqlLogin(login, ""), w, () -> "").withSqlToken(token);
        try {
            int port = server.start();
            HttpResponse<String> who = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/sql"))
                    .header("Authorization", "Bearer " + token.value())
                    .POST(HttpRequest.BodyPublishers.ofString("SELECT current_user AS u, count(*) AS n FROM events")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, who.statusCode(), who.body());
            assertEquals("[[\"" + login + "\",3]]", JSON.readTree(who.body()).get("rows").toString());
            HttpResponse<String> hashes = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/sql"))
                    .header("Authorization", "Bearer " + token.value())
                    .POST(HttpRequest.BodyPublishers.ofString("SELECT count(*) FROM pg_largeobject")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, hashes.statusCode(), hashes.body());
            assertEquals(200, sql("postgres", "SELECT count(*) FROM pg_largeobject").statusCode(), "the warehouse user reads it");
        } finally {
            server.close();
            try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
                st.execute("DROP OWNED BY " + login);
                st.execute("DROP ROLE " + login);
            }
        }
        QueryServer refused = new QueryServer(base.withSqlLogin("no_such_login_footfall", ""), w, () -> "").withSqlToken(token);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, refused::start);
            assertTrue(e.getMessage().startsWith("query.sqlUser: PostgreSQL refused the login 'no_such_login_footfall'"), e.getMessage());
        } finally {
            refused.close();
        }
    }

    /** A query.sqlRole PostgreSQL does not have stops the start, naming it; one it has (pg_monitor, built in) does not. */
    @Test
    void aSqlRoleThatDoesNotExistStopsTheStart() {
        QueryConfig missing = new QueryConfig("127.0.0.1", 0, Duration.ofSeconds(1), 20, "no_such_role_footfall", 2);
        QueryServer refused = new QueryServer(missing, warehouses.get("postgres"), () -> "").withSqlToken(token);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, refused::start);
            assertTrue(e.getMessage().startsWith("query.sqlRole: PostgreSQL has no role 'no_such_role_footfall'"), e.getMessage());
        } finally {
            refused.close();
        }
        QueryServer started = new QueryServer(new QueryConfig("127.0.0.1", 0, Duration.ofSeconds(1), 20, "pg_monitor", 2),
                warehouses.get("postgres"), () -> "").withSqlToken(token);
        try {
            started.start();
        } finally {
            started.close();
        }
    }

    /** The same for PostgreSQL: a writable CTE hidden from the lexer by quoting still meets the READ ONLY transaction. */
    @Test
    void postgresReadOnlyTransactionRefusesWritesTheLexerMissed() throws Exception {
        HttpResponse<String> r = sql("postgres", "SELECT * FROM \"pg_catalog\".\"nextval\"('pg_catalog.pg_class')");
        assertTrue(r.statusCode() == 400 || r.statusCode() == 403, r.body());
        HttpResponse<String> write = sql("postgres", "WITH d AS (\"DELETE\" FROM events) SELECT 1");
        assertEquals(400, write.statusCode(), write.body());
        assertEquals(3, count("postgres"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '\t', value = {
            "duckdb\tSELECT count(*) FROM range(100000) a, range(1000000) b WHERE a.range + b.range = -1",
            "postgres\tSELECT pg_sleep(5)",
            // folded while DuckDB prepares the statement: the timeout must run from before that
            "duckdb\tSELECT levenshtein(repeat('a', 60000), repeat('b', 60000)) AS d"})
    void aSlowStatementIsCancelledAtTheTimeout(String dialect, String sql) throws Exception {
        HttpResponse<String> r = sql(dialect, sql);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("statement_timeout", JSON.readTree(r.body()).get("error").asText());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '\t', value = {
            "duckdb\tSELECT * FROM range(50)",
            "postgres\tSELECT * FROM generate_series(1, 50)"})
    void rowsBeyondTheLimitAreCutAndFlagged(String dialect, String sql) throws Exception {
        HttpResponse<String> r = sql(dialect, sql);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(20, body.get("rows").size());
        assertTrue(body.get("truncated").asBoolean());
    }

    private long count(String dialect) throws SQLException {
        try (Connection c = warehouses.get(dialect).readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM events")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
