package io.footfall.loader.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.core.event.StoredEvent;
import io.footfall.loader.warehouse.SampleEvents;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HourVersionsTest {

    /** A catch-up batch spanning more hours than one upsert statement takes: every hour counted once per batch. */
    @Test
    void aBatchOverManyHoursRaisesEachOnce() throws SQLException {
        List<StoredEvent> events = new ArrayList<>();
        for (int i = 0; i < 1_234; i++) {
            long hourStart = 3_600_000L * (400_000 + i);
            events.add(SampleEvents.at(2 * i, hourStart));
            events.add(SampleEvents.at(2 * i + 1, hourStart + 3_599_999));
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            Migrations.apply(c, Dialect.DUCKDB);
            HourVersions.bump(c, events);
            HourVersions.bump(c, events.subList(0, 2));
            try (ResultSet rs = st.executeQuery("SELECT count(*), min(hour), max(hour), sum(version), max(version) "
                    + "FROM footfall_hour_versions WHERE site = 'example.com'")) {
                rs.next();
                assertEquals("1234|400000|401233|1235|2", rs.getLong(1) + "|" + rs.getLong(2) + "|" + rs.getLong(3) + "|"
                        + rs.getLong(4) + "|" + rs.getLong(5));
            }
        }
    }
}
