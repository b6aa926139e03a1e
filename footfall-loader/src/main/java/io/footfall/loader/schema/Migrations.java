package io.footfall.loader.schema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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

    /**
     * One schema step; {@code sql} may hold several statements separated by {@code ;}. It runs on the
     * dialects in {@code dialects}; on the others the version is recorded with nothing to do, so every
     * warehouse walks the same version numbers.
     */
    public record Migration(int version, String description, Set<Dialect> dialects, String sql) {
        Migration(int version, String description, String sql) {
            this(version, description, EnumSet.allOf(Dialect.class), sql);
        }
    }

    /** Table names the loader, {@code replay} and {@code promote} accept: they are spliced into SQL. */
    private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** Stands for the dialect's "fill the sessions rollup from events" statement in a migration. */
    private static final String SESSIONS_BACKFILL = "${sessions_backfill}";

    /** PostgreSQL advisory lock key of one schema's migrations. */
    private static final String MIGRATION_LOCK = "hashtext('footfall.migrations.' || current_schema())";

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
                    """),
            // PostgreSQL answers time-range queries of one site from this index; DuckDB prunes with its
            // per-row-group min/max zone maps instead, and an ART index would slow every Appender batch.
            new Migration(2, "index events by site and received_at", EnumSet.of(Dialect.POSTGRES), """
                    CREATE INDEX IF NOT EXISTS ${table}_site_received_at ON ${table} (site, received_at)
                    """),
            // One row per session for the stats API (see SessionRollup), built from the events already stored;
            // from here on the loader keeps it current in each batch's transaction.
            new Migration(3, "sessions rollup", SessionRollup.createTableSqlOfMigration3() + ";\n" + SESSIONS_BACKFILL),
            // Per (site, UTC hour) a version the loader raises with every change, so that the query server can
            // keep summaries of finished hours and days and know when one is stale (see HourVersions).
            new Migration(4, "hour versions", EnumSet.of(Dialect.DUCKDB),
                    HourVersions.createTableSql() + ";\n" + HourVersions.backfillSql()),
            // The same per (site, UTC hour of a session's start), for summaries of the sessions rollup.
            new Migration(5, "session hour versions", EnumSet.of(Dialect.DUCKDB),
                    HourVersions.sessionsMigrationSql() + ";\n" + HourVersions.sessionsBackfillSql()),
            // Where loader.retention has deleted events up to, and when (see Retention).
            new Migration(6, "retention mark", Retention.createTableSql()),
            // What footfall delete removed, which a replay leaves out (see Deletions).
            new Migration(7, "deletion log", Deletions.createTableSql()),
            // One name per traffic source ("Google" for all its hosts), which the enricher writes from pipeline
            // version 5 on. Rows stored before get what the enricher writes for a referrer its lists do not know,
            // the host without www. (the lists' names need the enricher: a replay of footfall.raw), so that the
            // dashboard's sources list does not show all their visits as direct; direct and internal ones stay NULL.
            new Migration(8, "referrer source", """
                    ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS referrer_source ${text};
                    """ + SessionRollup.addReferrerSourceSql() + ";\n"
                    + backfillReferrerSource("${table}") + ";\n" + backfillReferrerSource(SessionRollup.TABLE)));

    private Migrations() {
    }

    /** Migration 8's source for rows stored before it: the referrer host without {@code www.}, as for an unknown one. */
    private static String backfillReferrerSource(String table) {
        return "UPDATE " + table + " SET referrer_source = CASE WHEN referrer_host LIKE 'www.%' THEN substr(referrer_host, 5)"
                + " ELSE referrer_host END WHERE referrer_source IS NULL AND referrer_host IS NOT NULL"
                + " AND coalesce(referrer_type, '') <> 'internal'";
    }

    /** The SQL of the events table for a given table name: {@code replay} builds its new table with it. */
    public static String eventsTableSql(Dialect dialect, String table) {
        checkTableName(table);
        String all = dialect.render(ALL.get(0).sql()).replace("${table}", table);
        return all.substring(0, all.indexOf(';'));
    }

    /**
     * Applies every migration newer than the database's version.
     *
     * @return the schema version after the run
     */
    public static int apply(Connection connection, Dialect dialect) throws SQLException {
        return apply(connection, dialect, latestVersion());
    }

    /** The version the migrations bring a warehouse to. */
    public static int latestVersion() {
        return ALL.get(ALL.size() - 1).version();
    }

    /**
     * Every statement that builds an events table named {@code table} as the migrations build
     * {@code events}: the table, then the later migrations' statements on it (its indexes on the dialects that
     * have them, its added columns), not those on other tables.
     */
    public static List<String> eventsTableStatements(Dialect dialect, String table) {
        List<String> statements = new java.util.ArrayList<>();
        statements.add(eventsTableSql(dialect, table));
        for (Migration m : ALL.subList(1, ALL.size())) {
            if (!m.dialects().contains(dialect)) {
                continue;
            }
            for (String statement : m.sql().split(";")) {
                if (statement.contains("${table}")) {
                    statements.add(dialect.render(statement).replace("${table}", table).strip());
                }
            }
        }
        return statements;
    }

    /** @throws IllegalArgumentException when {@code table} is not a plain lower-case SQL name */
    public static String checkTableName(String table) {
        if (table == null || !TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("table name must match " + TABLE_NAME.pattern() + ", got '" + table + "'");
        }
        return table;
    }

    /**
     * Applies the migrations newer than the database's version, up to {@code targetVersion} (tests use it
     * to build each earlier version and upgrade from it).
     *
     * @return the schema version after the run
     */
    public static int apply(Connection connection, Dialect dialect, int targetVersion) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        try (Statement st = connection.createStatement()) {
            connection.setAutoCommit(true);
            // Loaders of a shared deployment start together: one migrates, the others wait here and then find
            // the schema at its version. Without the lock two CREATE TABLE IF NOT EXISTS of one table can both go
            // ahead and the second fails on PostgreSQL's catalog. One lock per schema, held by the session.
            if (dialect == Dialect.POSTGRES) {
                lock(st);
            }
            int version;
            try {
                version = applyLocked(connection, st, dialect, targetVersion);
            } catch (SQLException | RuntimeException e) {
                if (dialect == Dialect.POSTGRES) {
                    try {
                        st.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
                    } catch (SQLException unlock) {
                        e.addSuppressed(unlock); // a broken session has let go of its locks anyway
                    }
                }
                throw e;
            }
            if (dialect == Dialect.POSTGRES) {
                st.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
            return version;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * Takes the schema's migration lock, trying once a second rather than blocking in one statement: another
     * loader's migrations can outlast a socket timeout (an index or a backfill on a large table), and the wait
     * is logged.
     */
    private static void lock(Statement st) throws SQLException {
        long started = System.nanoTime();
        long nextLog = 0;
        while (true) {
            try (ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + MIGRATION_LOCK + ")")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return;
                }
            }
            long waitedS = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            if (waitedS >= nextLog) {
                LOG.info("event=migrations_waiting reason=\"another process migrates this schema\" waited_s={}", waitedS);
                nextLog = waitedS + 10;
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for another process's migrations", e);
            }
        }
    }

    private static int applyLocked(Connection connection, Statement st, Dialect dialect, int targetVersion)
            throws SQLException {
        st.execute(dialect.render("CREATE TABLE IF NOT EXISTS footfall_schema_version ("
                + "version INTEGER PRIMARY KEY, description ${text} NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"));
        int current = currentVersion(st);
        for (Migration m : ALL) {
            if (m.version() <= current || m.version() > targetVersion) {
                continue;
            }
            connection.setAutoCommit(false);
            try {
                String sql = dialect.render(m.sql()).replace("${table}", "events")
                        .replace(SESSIONS_BACKFILL, SessionRollup.insertFromOfMigration3(dialect));
                for (String statement : sql.split(";")) {
                    if (!statement.isBlank() && m.dialects().contains(dialect)) {
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
    }

    static int currentVersion(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM footfall_schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
