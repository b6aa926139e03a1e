package io.footfall.query.testing;

import io.footfall.core.warehouse.Warehouse;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.Migrations;
import io.footfall.loader.schema.SessionRollup;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import org.duckdb.DuckDBConnection;

/**
 * A real warehouse for query tests: a DuckDB file, or a fresh schema in the local PostgreSQL, with the
 * loader's schema applied and rows inserted directly.
 */
public final class TestWarehouse implements Warehouse {

    public static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private final String dialect;
    private final DuckDBConnection duck;
    private final String pgSchema;

    private TestWarehouse(String dialect, DuckDBConnection duck, String pgSchema) {
        this.dialect = dialect;
        this.duck = duck;
        this.pgSchema = pgSchema;
    }

    public static TestWarehouse duckdb(Path file) throws SQLException {
        DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
        Migrations.apply(c, Dialect.DUCKDB);
        return new TestWarehouse("duckdb", c, null);
    }

    public static TestWarehouse postgres(String testName) throws SQLException {
        String schema = "q_" + testName.toLowerCase(Locale.ROOT) + "_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(PG_URL); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        TestWarehouse w = new TestWarehouse("postgres", null, schema);
        try (Connection c = w.readConnection()) {
            Migrations.apply(c, Dialect.POSTGRES);
        }
        return w;
    }

    public static TestWarehouse of(String dialect, Path dir, String testName) throws SQLException {
        return dialect.equals("duckdb") ? duckdb(dir.resolve(testName + ".duckdb")) : postgres(testName);
    }

    @Override
    public String dialect() {
        return dialect;
    }

    @Override
    public Connection readConnection() throws SQLException {
        if (duck != null) {
            return duck.duplicate();
        }
        return DriverManager.getConnection(PG_URL + "&currentSchema=" + pgSchema);
    }

    /** PostgreSQL: a new connection logged in as {@code user} (empty: as readConnection), on this warehouse's schema. */
    @Override
    public Connection isolatedReadConnection(String user, String password) throws SQLException {
        if (duck != null || user.isEmpty()) {
            return readConnection();
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + pgSchema, user, password);
    }

    /** PostgreSQL: this warehouse's schema (null on DuckDB). */
    public String pgSchema() {
        return pgSchema;
    }

    @Override
    public String eventsTable() {
        return "events";
    }

    /** Inserts one event row; only the columns the stats read are set. */
    public void insert(Row r) throws SQLException {
        try (Connection c = readConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO events (event_id, site, type, name, received_at, path, referrer_host, referrer_type, "
                        + "utm_source, utm_medium, utm_campaign, visitor_id, session_id, session_seq, is_new_session, "
                        + "browser, os, device_type, is_bot, country, region, city, screen, language, props, referrer_source) "
                        + "VALUES (CAST(? AS UUID), ?, ?, ?, to_timestamp(?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS "
                        + (duck != null ? "JSON" : "JSONB") + "), ?)")) {
            int i = 1;
            ps.setString(i++, UUID.randomUUID().toString());
            ps.setString(i++, r.site);
            ps.setString(i++, r.type);
            ps.setString(i++, r.name);
            ps.setDouble(i++, r.at.toEpochMilli() / 1000.0);
            ps.setString(i++, r.path);
            ps.setString(i++, r.referrerHost);
            ps.setString(i++, r.referrerType);
            ps.setString(i++, r.utmSource);
            ps.setString(i++, r.utmMedium);
            ps.setString(i++, r.utmCampaign);
            ps.setString(i++, r.visitor);
            ps.setString(i++, r.session);
            ps.setInt(i++, r.seq);
            ps.setBoolean(i++, r.seq == 1);
            ps.setString(i++, r.browser);
            ps.setString(i++, r.os);
            ps.setString(i++, r.device);
            ps.setBoolean(i++, r.bot);
            ps.setString(i++, r.country);
            ps.setString(i++, r.region);
            ps.setString(i++, r.city);
            ps.setString(i++, r.screen);
            ps.setString(i++, r.language);
            ps.setString(i++, r.props);
            ps.setString(i++, r.referrerSource);
            ps.executeUpdate();
        }
    }

    /** Builds the sessions rollup from the rows inserted so far, as the loader keeps it while it writes. */
    public void rebuildSessions() throws SQLException {
        Dialect d = dialect.equals("duckdb") ? Dialect.DUCKDB : Dialect.POSTGRES;
        try (Connection c = readConnection(); Statement st = c.createStatement()) {
            for (String sql : SessionRollup.rebuildStatements(d)) {
                st.execute(sql);
            }
        }
    }

    @Override
    public void close() {
        try {
            if (duck != null) {
                duck.close();
            } else {
                try (Connection c = DriverManager.getConnection(PG_URL); Statement st = c.createStatement()) {
                    st.execute("DROP SCHEMA " + pgSchema + " CASCADE");
                }
            }
        } catch (SQLException e) {
            // cleanup only
        }
    }

    /** A fixture row, built fluently. */
    public static final class Row {
        String site = "fix.test";
        String type = "pageview";
        String name;
        Instant at;
        String path;
        String referrerHost;
        String referrerType = "direct";
        String referrerSource;
        String utmSource;
        String utmMedium;
        String utmCampaign;
        String visitor;
        String session;
        int seq = 1;
        String browser;
        String os;
        String device;
        boolean bot;
        String country;
        String region;
        String city;
        String screen = "1920x1080";
        String language = "en-US";
        String props;

        public static Row pageview(String at, String visitor, String session, int seq, String path) {
            Row r = new Row();
            r.at = Instant.parse(at);
            r.visitor = visitor;
            r.session = session;
            r.seq = seq;
            r.path = path;
            return r;
        }

        public static Row event(String at, String visitor, String session, int seq, String path, String name) {
            Row r = pageview(at, visitor, session, seq, path);
            r.type = "event";
            r.name = name;
            return r;
        }

        public Row site(String s) { site = s; return this; }
        public Row referrer(String host, String type) { referrerHost = host; referrerType = type; return this; }
        /** As the enricher names the source: the referrer lists' name, else the host without {@code www.}. */
        public Row referrer(String host, String type, String source) { referrer(host, type); referrerSource = source; return this; }
        public Row utm(String source, String medium, String campaign) { utmSource = source; utmMedium = medium; utmCampaign = campaign; return this; }
        public Row client(String b, String o, String d) { browser = b; os = o; device = d; return this; }
        public Row geo(String c, String r, String ci) { country = c; region = r; city = ci; return this; }
        public Row screen(String s) { screen = s; return this; }
        public Row language(String l) { language = l; return this; }
        public Row bot() { bot = true; return this; }
        /** The event's custom properties, a JSON object. */
        public Row props(String json) { props = json; return this; }
    }
}
