package io.footfall.app.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.app.testing.TestBroker;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a loader JVM at five moments of a batch, restart, and the PostgreSQL table holds each event once. */
class ExactlyOncePostgresIT {

    static String schema;

    @TempDir
    Path dir;

    @BeforeAll
    static void createSchema() throws Exception {
        schema = LoaderFixtures.freshSchema("eo");
    }

    @AfterAll
    static void dropSchema() throws Exception {
        LoaderFixtures.dropSchema(schema);
    }

    @Test
    void rowsEqualUniqueEventsAfterFiveKills() throws Exception {
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 3)) {
            KillHarness.fill(broker);
            KillHarness.killFiveTimesThenDrain(broker, "warehouse", "postgres", schema, dir);
        }
        Set<String> ids = new HashSet<>();
        try (Connection c = LoaderFixtures.postgres(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT event_id::text FROM " + schema + ".events")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            assertEquals(KillHarness.UNIQUE, LoaderFixtures.count(c, "SELECT count(*) FROM " + schema + ".events"));
            assertEquals(KillHarness.RECORDS, LoaderFixtures.count(c, "SELECT sum(next_offset) FROM " + schema + ".footfall_offsets"));
            // The sessions rollup moved in the same transactions: every stored event folded in once.
            assertEquals(KillHarness.UNIQUE, LoaderFixtures.count(c, "SELECT sum(pageviews + events) FROM " + schema + ".footfall_sessions"));
        }
        assertEquals(KillHarness.expectedIds(), ids);
    }
}
