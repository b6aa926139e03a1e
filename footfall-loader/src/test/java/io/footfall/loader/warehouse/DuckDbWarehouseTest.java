package io.footfall.loader.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.footfall.core.config.LoaderConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.loader.schema.Dialect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbWarehouseTest {

    private static final String TOPIC = "footfall.events";

    @TempDir
    Path dir;

    @Test
    void theCheckpointSizeAndTheMemoryBoundReachDuckDb() throws SQLException {
        Path file = dir.resolve("checkpoint.duckdb");
        try (DuckDbWarehouse w = DuckDbWarehouse.open(file, 96L * 1024 * 1024, 384L * 1024 * 1024);
                Connection c = w.readConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_setting('checkpoint_threshold'), current_setting('memory_limit'),"
                        + " current_setting('temp_directory')")) {
            rs.next();
            assertEquals("96.0 MiB", rs.getString(1));
            assertEquals("384.0 MiB", rs.getString(2));
            assertEquals(file.toAbsolutePath() + ".tmp", rs.getString(3), "spills beside the file, not in the working directory");
        }
        try (DuckDbWarehouse w = DuckDbWarehouse.open(dir.resolve("defaults.duckdb"));
                Connection c = w.readConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_setting('memory_limit')")) {
            rs.next();
            String limit = rs.getString(1);
            assertTrue(limit.endsWith(" GiB"), limit);
            assertEquals(LoaderConfig.DEFAULT_DUCKDB_MEMORY_BYTES / (double) (1L << 30), Double.parseDouble(limit.substring(0,
                    limit.length() - 4)), 0.1, "loader.duckdbMemory's default (" + limit + "), not DuckDB's own 80 % of the machine's memory");
        }
    }

    @Test
    void rowGroupsAreSmallSoThatNoCheckpointCompressesAWholeDefaultOneAtOnce() throws SQLException {
        try (DuckDbWarehouse w = open()) {
            int rows = DuckDbWarehouse.ROW_GROUP_ROWS + 1_000;
            w.write(events(0, rows), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, rows)));
            try (Connection c = w.readConnection(); Statement st = c.createStatement()) {
                st.execute("CHECKPOINT");
            }
            assertEquals(2, count(w, "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('events')"),
                    "DuckDB's default row group holds 122,880 rows");
        }
        // Reopened, the file is the same warehouse (the setting is the attach's, not the file's).
        try (DuckDbWarehouse w = open()) {
            assertEquals(DuckDbWarehouse.ROW_GROUP_ROWS + 1_000, count(w, "SELECT count(*) FROM events"));
            assertEquals(Map.of(0, (long) DuckDbWarehouse.ROW_GROUP_ROWS + 1_000), w.storedOffsets(TOPIC));
        }
    }

    @Test
    void writesRowsAndOffsetsTogetherAndSkipsIdsAlreadyStored() throws SQLException {
        try (DuckDbWarehouse w = open()) {
            assertEquals(3, w.write(events(0, 3), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 3))));
            assertEquals(1, w.write(events(2, 4), TOPIC, List.of(new OffsetCommit(0, 3, 5))), "ids 2 is stored already");
            assertEquals(4, count(w, "SELECT count(*) FROM events"));
            assertEquals(Map.of(0, 5L), w.storedOffsets(TOPIC));
            assertEquals(List.of("Page\t3 \"quoted\" \\ back\nslash"), strings(w, "SELECT title FROM events WHERE path = '/p/3'"));
            // The last column, written by the Appender (/p/0, a new batch) and through the staging table (/p/3).
            assertEquals(List.of("Google|Google"), strings(w, "SELECT string_agg(referrer_source, '|') FROM events "
                    + "WHERE path IN ('/p/0', '/p/3')"));
        }
    }

    @Test
    void aZombieBatchIsRefusedAndWritesNothing() throws SQLException {
        try (DuckDbWarehouse w = open()) {
            // The current owner of partition 0 committed up to 150; a fenced-out loader still holds a batch
            // it read from offset 100.
            w.write(events(0, 10), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 100)));
            w.write(events(10, 15), TOPIC, List.of(new OffsetCommit(0, 100, 150)));
            List<StoredEvent> stale = events(100, 120);
            assertThrows(StaleBatchException.class, () -> w.write(stale, TOPIC,
                    List.of(new OffsetCommit(1, OffsetCommit.NONE, 7), new OffsetCommit(0, 100, 130))));
            assertEquals(15, count(w, "SELECT count(*) FROM events"), "no row of the stale batch");
            assertEquals(Map.of(0, 150L), w.storedOffsets(TOPIC), "offsets untouched, partition 1 not created");
            // A loader that never saw a stored offset cannot claim a partition that has one either.
            assertThrows(StaleBatchException.class, () -> w.write(stale, TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 160))));
            // Control: the same rows from the stored offset are accepted, so the refusal was the fence.
            assertEquals(20, w.write(stale, TOPIC, List.of(new OffsetCommit(0, 150, 170))));
            assertEquals(Map.of(0, 170L), w.storedOffsets(TOPIC));
        }
    }

    @Test
    void replayTableThenPromoteKeepsTheOldTableAsEventsPrev() throws SQLException {
        try (DuckDbWarehouse w = open()) {
            w.write(events(0, 5), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 5)));
            w.createTable("events_v2");
            assertEquals(3, w.append("events_v2", events(0, 3)));
            assertEquals(0, w.append("events_v2", events(0, 3)));
            assertEquals(5, count(w, "SELECT count(*) FROM events"), "the live table is untouched by a replay");
            // The loader's staging tables are temporary, not tables a replay made: promoting one is refused.
            for (String staging : List.of("events_stage", "sessions_stage")) {
                IllegalStateException refused = assertThrows(IllegalStateException.class, () -> w.promote(staging));
                assertEquals("table " + staging + " does not exist", refused.getMessage());
            }
            assertEquals(5, count(w, "SELECT count(*) FROM events"));
            w.promote("events_v2");
            assertEquals(3, count(w, "SELECT count(*) FROM events"));
            assertEquals(5, count(w, "SELECT count(*) FROM events_prev"));
            assertThrows(IllegalStateException.class, () -> w.promote("events_v3"), "missing table");
            w.createTable("events_v3");
            assertThrows(IllegalStateException.class, () -> w.promote("events_v3"), "events_prev exists");
            // The loader keeps writing to the promoted table.
            assertEquals(2, w.write(events(10, 12), TOPIC, List.of(new OffsetCommit(0, 5, 7))));
            assertEquals(5, count(w, "SELECT count(*) FROM events"));
        }
    }

    /** Seeds 0–2799 are received in UTC hour 472222, 2800–6399 in 472223, 7000 in 472224 (SampleEvents). */
    @Test
    void everyBatchRaisesItsHoursVersionsAndPromoteRaisesEveryHours() throws SQLException {
        try (DuckDbWarehouse w = open()) {
            w.write(events(0, 3), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 3)));
            assertEquals(List.of("example.com|472222|1"), versions(w));
            assertEquals(List.of("example.com|472222|1"), sessionVersions(w));
            // Sessions s8 and s9 start in hour 472222; s0, which started there in the first batch, goes on in 472223:
            // sessions starting in 472222 changed, none starts in 472223.
            w.write(events(2798, 2801), TOPIC, List.of(new OffsetCommit(0, 3, 6)));
            assertEquals(List.of("example.com|472222|2", "example.com|472223|1"), versions(w));
            assertEquals(List.of("example.com|472222|2"), sessionVersions(w));
            // A redelivered batch (ids stored already, the staging path) may raise a version too: harmless.
            w.write(events(0, 3), TOPIC, List.of(new OffsetCommit(0, 6, 9)));
            assertEquals(List.of("example.com|472222|3", "example.com|472223|1"), versions(w));
            assertEquals(List.of("example.com|472222|2"), sessionVersions(w));
            // s0 (started in 472222) goes on in hour 472230, through the staging path (a stored id in the batch).
            w.write(List.of(SampleEvents.event(0), SampleEvents.at(30_000, 3_600_000L * 472_230)), TOPIC,
                    List.of(new OffsetCommit(0, 9, 11)));
            assertEquals(List.of("example.com|472222|4", "example.com|472223|1", "example.com|472230|1"), versions(w));
            assertEquals(List.of("example.com|472222|3"), sessionVersions(w));
            // A stale batch is refused whole: no version moves.
            assertThrows(StaleBatchException.class, () -> w.write(events(7000, 7001), TOPIC, List.of(new OffsetCommit(0, 3, 4))));
            assertEquals(List.of("example.com|472222|4", "example.com|472223|1", "example.com|472230|1"), versions(w));
            assertEquals(List.of("example.com|472222|3"), sessionVersions(w));
            w.createTable("events_v2");
            w.append("events_v2", events(7000, 7001));
            w.promote("events_v2");
            assertEquals(List.of("example.com|472222|5", "example.com|472223|2", "example.com|472224|1", "example.com|472230|2"),
                    versions(w));
            assertEquals(List.of("example.com|472222|4", "example.com|472224|1"), sessionVersions(w));
        }
    }

    /** A session's start moving to an earlier hour raises the hour it left too. */
    @Test
    void aSessionStartingEarlierThanStoredRaisesTheHourItLeft() throws SQLException {
        try (DuckDbWarehouse w = open()) {
            long hour = 3_600_000L * 472_300;
            // Two events of session s1: the later one stored first (hour 472301), the earlier (hour 472300) later.
            w.write(List.of(SampleEvents.at(1, hour + 3_600_000L + 5)), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 1)));
            assertEquals(List.of("example.com|472301|1"), sessionVersions(w));
            w.write(List.of(SampleEvents.at(11, hour + 5)), TOPIC, List.of(new OffsetCommit(0, 1, 2)));
            assertEquals(List.of("example.com|472300|1", "example.com|472301|2"), sessionVersions(w));
            assertEquals(1, count(w, "SELECT count(*) FROM footfall_sessions WHERE session_id = 's1' "
                    + "AND first_at = make_timestamptz(" + (hour + 5) * 1000 + ")"));
        }
    }

    private static List<String> versions(DuckDbWarehouse w) throws SQLException {
        return strings(w, "SELECT site || '|' || hour || '|' || version FROM footfall_hour_versions ORDER BY hour");
    }

    private static List<String> sessionVersions(DuckDbWarehouse w) throws SQLException {
        return strings(w, "SELECT site || '|' || hour || '|' || version FROM footfall_session_hour_versions ORDER BY hour");
    }

    @Test
    void rowsTheWarehouseWouldRejectAreNamed() {
        StoredEvent ok = SampleEvents.event(1);
        assertNull(RowCheck.problem(ok, Dialect.POSTGRES));
        assertEquals("invalid_event_id", RowCheck.problem(SampleEvents.withId("not-a-uuid", 1), Dialect.DUCKDB));
        StoredEvent badProps = new StoredEvent(ok.eventId(), ok.site(), ok.type(), null, 0, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, 1, true, null, null, null, null, null,
                false, null, null, null, null, null, null, "{not json", null, null);
        assertEquals("invalid_props_json", RowCheck.problem(badProps, Dialect.DUCKDB));
        StoredEvent nul = new StoredEvent(ok.eventId(), ok.site(), ok.type(), null, 0, null, null, null, null, null,
                "a\u0000b", null, null, null, null, null, null, null, null, null, null, 1, true, null, null, null, null,
                null, false, null, null, null, null, null, null, null, null, null);
        assertEquals("nul_character", RowCheck.problem(nul, Dialect.POSTGRES));
        assertNull(RowCheck.problem(nul, Dialect.DUCKDB));
    }

    @Test
    void aNulEscapeInJsonIsFoundAndAnEscapedBackslashBeforeU0000IsNot() {
        assertTrue(RowCheck.hasNulEscape("{\"plan\":\"a\\u0000b\"}"));
        assertTrue(RowCheck.hasNulEscape("{\"a\\u0000\":1}"));
        assertTrue(RowCheck.hasNulEscape("{\"k\":\"\\\\\\u0000\"}"));
        assertFalse(RowCheck.hasNulEscape("{\"k\":\"\\\\u0000\"}"));
        assertFalse(RowCheck.hasNulEscape("{\"k\":\"\\u0001 u0000\"}"));
        assertFalse(RowCheck.hasNulEscape("{\"k\":\"\\\"\",\"u0000\":1}"));
        assertFalse(RowCheck.hasNulEscape("{\"k\":\"v\\\\\"}"));
    }

    private DuckDbWarehouse open() throws SQLException {
        DuckDbWarehouse w = DuckDbWarehouse.open(dir.resolve("w.duckdb"));
        w.migrate();
        return w;
    }

    static List<StoredEvent> events(int from, int to) {
        List<StoredEvent> events = new ArrayList<>();
        for (int i = from; i < to; i++) {
            events.add(SampleEvents.event(i));
        }
        return events;
    }

    private static long count(DuckDbWarehouse w, String sql) throws SQLException {
        try (Connection c = w.readConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(DuckDbWarehouse w, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = w.readConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
