package io.footfall.app.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.app.testing.TestBroker;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a loader JVM at five moments of a batch, restart, and the DuckDB table holds each event once. */
class ExactlyOnceDuckDbIT {

    @TempDir
    Path dir;

    @Test
    void rowsEqualUniqueEventsAfterFiveKills() throws Exception {
        Path file = dir.resolve("eo.duckdb");
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 3)) {
            KillHarness.fill(broker);
            KillHarness.killFiveTimesThenDrain(broker, "warehouse", "duckdb", file.toString(), dir);
        }
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file)) {
            assertEquals(KillHarness.expectedIds(), storedIds(warehouse));
            try (Connection c = warehouse.readConnection()) {
                assertEquals(KillHarness.UNIQUE, LoaderFixtures.count(c, "SELECT count(*) FROM events"));
                assertEquals(KillHarness.RECORDS, LoaderFixtures.count(c, "SELECT sum(next_offset) FROM footfall_offsets"));
                // The sessions rollup moved in the same transactions: every stored event folded in once.
                assertEquals(KillHarness.UNIQUE, LoaderFixtures.count(c, "SELECT sum(pageviews + events) FROM footfall_sessions"));
            }
        }
    }

    static Set<String> storedIds(DuckDbWarehouse warehouse) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection c = warehouse.readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT CAST(event_id AS VARCHAR) FROM events")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
