package io.footfall.loader.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeptReadConnectionsTest {

    private static final String TOPIC = "footfall.events";
    private static final String COUNT_SITE = "SELECT count(*) FROM events WHERE site = ? AND path <> ?";

    @TempDir
    Path dir;

    @Test
    void aStatementIsKeptAndAnswersTheNextBorrowerWithItsOwnParameters() throws SQLException {
        try (DuckDbWarehouse w = open()) {
            w.write(DuckDbWarehouseTest.events(0, 4), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 4)));
            assertEquals(4, count(w, "example.com", "/none"));
            assertEquals(Map.of(COUNT_SITE, 1), w.keptReadConnections().keptStatements());
            assertEquals(3, count(w, "example.com", "/p/1"));
            assertEquals(0, count(w, "other.example", "/none"));
            assertEquals(1, w.keptReadConnections().idle(), "one connection served all three");
            assertEquals(Map.of(COUNT_SITE, 1), w.keptReadConnections().keptStatements(), "one statement served all three");

            w.write(DuckDbWarehouseTest.events(4, 6), TOPIC, List.of(new OffsetCommit(0, 4, 6)));
            assertEquals(6, count(w, "example.com", "/none"), "a kept statement reads rows written after it was prepared");
        }
    }

    @Test
    void aKeptStatementReadsTheTableThatReplacedTheOneItWasPreparedOn() throws SQLException {
        try (DuckDbWarehouse w = open()) {
            w.write(DuckDbWarehouseTest.events(0, 5), TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, 5)));
            assertEquals(5, count(w, "example.com", "/none"));
            w.createTable("events_v2");
            w.append("events_v2", DuckDbWarehouseTest.events(100, 102));
            w.promote("events_v2");
            assertEquals(2, count(w, "example.com", "/none"));
        }
    }

    @Test
    void aTransactionLeftOpenIsRolledBackBeforeTheConnectionIsLentAgain() throws SQLException {
        try (DuckDbWarehouse w = open()) {
            try (Connection c = w.keptReadConnection(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("CREATE TABLE left_open (x INTEGER)");
            }
            try (Connection c = w.keptReadConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM information_schema.tables WHERE table_name = 'left_open'");
                 ResultSet rs = ps.executeQuery()) {
                assertTrue(c.getAutoCommit());
                rs.next();
                assertEquals(0, rs.getLong(1));
            }
        }
    }

    @Test
    void whatTheBorrowerClosedRefusesToBeUsedAgain() throws SQLException {
        try (DuckDbWarehouse w = open()) {
            Connection c = w.keptReadConnection();
            PreparedStatement ps = c.prepareStatement("SELECT 1");
            ps.close();
            assertTrue(ps.isClosed());
            assertThrows(SQLException.class, ps::executeQuery);
            c.close();
            c.close();
            assertTrue(c.isClosed());
            assertThrows(SQLException.class, () -> c.prepareStatement("SELECT 1"));
            assertEquals(1, w.keptReadConnections().idle(), "closing twice gives the connection back once");
            try (Connection again = w.keptReadConnection()) {
                assertFalse(again.isClosed());
                assertEquals(0, w.keptReadConnections().idle());
            }
        }
    }

    @Test
    void idleConnectionsAndKeptStatementsAreBounded() throws SQLException {
        try (DuckDbWarehouse w = open()) {
            List<Connection> borrowed = new ArrayList<>();
            for (int i = 0; i < KeptReadConnections.MAX_IDLE + 3; i++) {
                borrowed.add(w.keptReadConnection());
            }
            for (Connection c : borrowed) {
                c.close();
            }
            assertEquals(KeptReadConnections.MAX_IDLE, w.keptReadConnections().idle());

            try (DuckDbWarehouse single = DuckDbWarehouse.open(dir.resolve("single.duckdb"))) {
                try (Connection c = single.keptReadConnection()) {
                    for (int i = 0; i < KeptReadConnections.MAX_STATEMENTS + 6; i++) {
                        try (PreparedStatement ps = c.prepareStatement("SELECT " + i); ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            assertEquals(i, rs.getInt(1));
                        }
                    }
                }
                Map<String, Integer> kept = single.keptReadConnections().keptStatements();
                assertEquals(KeptReadConnections.MAX_STATEMENTS, kept.size());
                assertFalse(kept.containsKey("SELECT 0"), "the least recently used went first");
                assertTrue(kept.containsKey("SELECT " + (KeptReadConnections.MAX_STATEMENTS + 5)));
            }
        }
    }

    @Test
    void aClosedWarehouseLendsNothing() throws SQLException {
        DuckDbWarehouse w = open();
        w.keptReadConnection().close();
        w.close();
        assertEquals(0, w.keptReadConnections().idle());
        assertThrows(SQLException.class, w::keptReadConnection);
    }

    private static long count(DuckDbWarehouse w, String site, String notPath) throws SQLException {
        try (Connection c = w.keptReadConnection(); PreparedStatement ps = c.prepareStatement(COUNT_SITE)) {
            ps.setString(1, site);
            ps.setString(2, notPath);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private DuckDbWarehouse open() throws SQLException {
        DuckDbWarehouse w = DuckDbWarehouse.open(dir.resolve("w.duckdb"));
        w.migrate();
        return w;
    }
}
