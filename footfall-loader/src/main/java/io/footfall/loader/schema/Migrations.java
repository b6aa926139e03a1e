package io.footfall.loader.schema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small versioned migration runner, the same migration set for DuckDB and PostgreSQL. Each migration
 * runs in its own transaction together with its row in {@code footfall_schema_version}, so a crash leaves
 * the schema at a whole version. Running again is a no-op.
 *
 * <p>No library: Flyway and Liquibase support PostgreSQL but DuckDB only partly, and the set is small.
 */
public final class Migrations {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    /** One schema step; {@code sql} may hold several statements separated by {@code ;}. */
    public record Migration(int version, String description, String sql) {
    }

    /** The migrations, in order. Never edit a released one: add the next. */
    public static final List<Migration> ALL = List.of(
            new Migration(1, "events and offsets", """
                    CREATE TABLE IF NOT EXISTS ${table} (
                        event_id UUID PRIMARY KEY,
                        site ${text} NOT NULL,
                        type ${text} NOT NULL,
                        name ${text},
                        received_at TIMESTAMPTZ NOT NULL,
                        client_ts TIMESTAMPTZ,
                        url ${text},
                        host ${text},
                        path ${text},
                        query ${text},
                        title ${text},
                        referrer ${text},
                        referrer_host ${text},
                        referrer_type ${text},
                        utm_source ${text},
                        utm_medium ${text},
                        utm_campaign ${text},
                        utm_term ${text},
                        utm_content ${text},
                        visitor_id ${text},
                        session_id ${text},
                        session_seq INTEGER,
                        is_new_session BOOLEAN,
                        browser ${text},
                        browser_version ${text},
                        os ${text},
                        os_version ${text},
                        device_type ${text},
                        is_bot BOOLEAN NOT NULL DEFAULT FALSE,
                        country ${text},
                        region ${text},
                        city ${text},
                        screen ${text},
                        language ${text},
                        timezone ${text},
                        props ${json},
                        pipeline_version ${text}
                    );
                    CREATE TABLE IF NOT EXISTS footfall_offsets (
                        topic ${text} NOT NULL,
                        "partition" INTEGER NOT NULL,
                        next_offset BIGINT NOT NULL,
                        PRIMARY KEY (topic, "partition")
                    )
                    """));

    private Migrations() {
    }

    /** The SQL of the events table for a given table name: {@code replay} builds its new table with it. */
    public static String eventsTableSql(Dialect dialect, String table) {
        String all = dialect.render(ALL.get(0).sql()).replace("${table}", table);
        return all.substring(0, all.indexOf(';'));
    }

    /**
     * Applies every migration newer than the database's version.
     *
     * @return the schema version after the run
     */
    public static int apply(Connection connection, Dialect dialect) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        try (Statement st = connection.createStatement()) {
            connection.setAutoCommit(true);
            st.execute(dialect.render("CREATE TABLE IF NOT EXISTS footfall_schema_version ("
                    + "version INTEGER PRIMARY KEY, description ${text} NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"));
            int current = currentVersion(st);
            for (Migration m : ALL) {
                if (m.version() <= current) {
                    continue;
                }
                connection.setAutoCommit(false);
                try {
                    for (String statement : dialect.render(m.sql()).replace("${table}", "events").split(";")) {
                        if (!statement.isBlank()) {
                            st.execute(statement);
                        }
                    }
                    st.execute("INSERT INTO footfall_schema_version VALUES (" + m.version() + ", '"
                            + m.description().replace("'", "''") + "', CURRENT_TIMESTAMP)");
                    connection.commit();
                } catch (SQLException e) {
                    connection.rollback();
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                }
                LOG.info("event=migration_applied version={} description=\"{}\"", m.version(), m.description());
                current = m.version();
            }
            return current;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    static int currentVersion(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM footfall_schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
