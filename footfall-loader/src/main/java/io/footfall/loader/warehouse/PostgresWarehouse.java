package io.footfall.loader.warehouse;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.footfall.core.config.LoaderConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.loader.schema.Deletions;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.Migrations;
import io.footfall.loader.schema.Retention;
import io.footfall.loader.schema.SessionRollup;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * PostgreSQL (and, later, Redshift-compatible) warehouse. In one transaction the offsets move by
 * compare-and-set, the batch is {@code COPY}ed (pgjdbc's {@code CopyManager}, ~480k rows/s here against
 * ~130k for rewritten batched INSERTs) into {@code events}, and its sessions are upserted into the sessions
 * rollup; a batch holding an id stored already goes through a staging table instead (see
 * {@link #insertAndFold}). Connections come from a small HikariCP pool whose search path is
 * {@code loader.schema}; readers of the query server share it.
 */
public final class PostgresWarehouse implements Warehouse, WarehouseWriter {

    private static final String STAGE = "events_stage";
    /** SQLState of a primary key violation. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final HikariDataSource pool;
    private final String schema;

    private PostgresWarehouse(HikariDataSource pool, String schema) {
        this.pool = pool;
        this.schema = schema;
    }

    /**
     * Creates the pool. Connections are made lazily, so the loader starts (and waits) while PostgreSQL is
     * down; {@link #migrate()} is the first call that needs it.
     */
    public static PostgresWarehouse open(LoaderConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("footfall-warehouse");
        hikari.setJdbcUrl(config.jdbcUrl());
        if (!config.user().isEmpty()) {
            hikari.setUsername(config.user());
        }
        if (!config.password().isEmpty()) {
            hikari.setPassword(config.password());
        }
        // Per loader writer (loader.writers) one for its transactions and one for its consumer thread's reads of
        // the stored offsets; four more for the query server's threads; one for the retention's runs when it is on.
        hikari.setMaximumPoolSize(2 * config.writers() + 4 + (config.retention().isZero() ? 0 : 1));
        hikari.setMinimumIdle(1);
        // A warehouse outage must surface as a failed batch (then backoff), not as a thread stuck in the pool.
        hikari.setConnectionTimeout(5_000);
        hikari.setInitializationFailTimeout(-1);
        hikari.addDataSourceProperty("socketTimeout", "60");
        hikari.addDataSourceProperty("connectTimeout", "5");
        hikari.setConnectionInitSql("SET search_path TO " + config.schema());
        return new PostgresWarehouse(new HikariDataSource(hikari), config.schema());
    }

    @Override
    public Dialect sqlDialect() {
        return Dialect.POSTGRES;
    }

    @Override
    public String dialect() {
        return Dialect.POSTGRES.wireName();
    }

    /** PostgreSQL's own tools copy a schema consistently, offsets included: footfall does not. */
    @Override
    public long copyTo(java.nio.file.Path file) {
        throw new UnsupportedOperationException("the warehouse is PostgreSQL: " + backupAdvice(schema));
    }

    /** What to use instead of {@code footfall backup} on the PostgreSQL schema {@code schema}. */
    public static String backupAdvice(String schema) {
        return "back up its schema with PostgreSQL's tools (pg_dump --schema=" + schema + "); the loader's offsets are in the"
                + " same schema, so a restored dump resumes loading where it was taken";
    }

    @Override
    public Connection readConnection() throws SQLException {
        Connection c = pool.getConnection();
        c.setReadOnly(true);
        return c;
    }

    /**
     * A connection of its own, outside the pool, closed for good by the caller: a user's statement can leave session
     * state behind even in a read-only transaction that is rolled back ({@code set_config(..., false)}, a session-level
     * {@code pg_advisory_lock} that would stop the next loader's migrations), and a pooled connection would carry it to
     * the loader and the stats API.
     */
    @Override
    public Connection isolatedReadConnection(String user, String password) throws SQLException {
        if (user.isEmpty()) {
            user = pool.getUsername();
            password = pool.getPassword();
        }
        java.util.Properties props = new java.util.Properties();
        if (user != null && !user.isEmpty()) {
            props.setProperty("user", user);
        }
        if (password != null && !password.isEmpty()) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "60");
        props.setProperty("ApplicationName", "footfall-sql-api");
        Connection c = java.sql.DriverManager.getConnection(pool.getJdbcUrl(), props);
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO " + schema);
            c.setReadOnly(true);
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public String eventsTable() {
        return schema + "." + LIVE_TABLE;
    }

    @Override
    public void migrate() throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            try {
                st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            } catch (SQLException e) {
                // Two loaders starting together: both may find the schema missing; the second one's create then
                // fails on the catalog's unique index, and the schema is there.
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
            }
            st.execute("SET search_path TO " + schema);
            Migrations.apply(c, Dialect.POSTGRES);
        }
    }

    /** The schema version recorded in the warehouse. */
    public int schemaVersion() throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM footfall_schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Override
    public Map<Integer, Long> storedOffsets(String topic) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return OffsetFence.read(c, topic);
        }
    }

    @Override
    public long write(List<StoredEvent> events, String topic, List<OffsetCommit> offsets) throws SQLException {
        return inTransaction(c -> {
            OffsetFence.advance(c, topic, offsets);
            // The lock the COPY takes anyway, taken before the deletion log is read: a footfall delete running now
            // (it holds a lock this one waits for) has committed, log row included, by the time the log is read.
            try (Statement st = c.createStatement()) {
                st.execute("LOCK TABLE " + LIVE_TABLE + " IN ROW EXCLUSIVE MODE");
            }
            List<StoredEvent> kept = Deletions.without(c, Dialect.POSTGRES, events);
            return kept.isEmpty() ? 0 : insertAndFold(c, kept);
        });
    }

    /**
     * The common case, a batch of ids never seen: {@code COPY} straight into {@code events}, then the batch's
     * sessions, folded in Java, go into the rollup from a temporary table that {@code COPY} fills (inserted
     * when the batch opens them, merged otherwise). A stored or repeated id makes the {@code COPY} fail (a
     * stored session, the insert of its part); then, back at the savepoint,
     * the batch is staged and one statement inserts the rows whose ids are new ({@code ON CONFLICT DO
     * NOTHING}) and folds exactly those (its {@code RETURNING}) into the rollup.
     */
    private static long insertAndFold(Connection c, List<StoredEvent> events) throws SQLException {
        byte[] rows = copyText(events);
        Savepoint beforeCopy = c.setSavepoint();
        try {
            copy(c, LIVE_TABLE, rows);
            upsertParts(c, SessionParts.fold(events));
            c.releaseSavepoint(beforeCopy);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(beforeCopy);
            return stageInsertAndFold(c, rows);
        }
        return events.size();
    }

    private static long stageInsertAndFold(Connection c, byte[] rows) throws SQLException {
        try (Statement st = c.createStatement()) {
            createStage(st);
            copy(c, "pg_temp." + STAGE, rows);
            try (ResultSet rs = st.executeQuery("WITH inserted AS (" + Dialect.POSTGRES.insertNewRows(LIVE_TABLE, "pg_temp." + STAGE)
                    + " RETURNING *), folded AS (" + SessionRollup.upsertFrom(Dialect.POSTGRES, "inserted", 0)
                    + ") SELECT count(*) FROM inserted")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static final String PARTS_STAGE = "sessions_stage";
    private static final String UPSERT_PARTS = SessionRollup.upsertParts(Dialect.POSTGRES, "pg_temp." + PARTS_STAGE, 0);
    /** {@code COPY} target of the parts that open their session: the rollup, its columns named. */
    private static final String NEW_SESSIONS = SessionRollup.TABLE + " (" + String.join(", ", SessionRollup.columns()) + ")";

    /**
     * A batch's sessions: those it opens copied straight into the rollup as new rows, the others copied into a
     * temporary table and merged from it. A session that is stored after all fails the first copy on the key,
     * and the caller goes the staging path.
     */
    private static void upsertParts(Connection c, List<SessionParts.Part> parts) throws SQLException {
        CopyText opening = new CopyText(parts.size() * 200);
        CopyText merged = new CopyText(parts.size() * 200);
        boolean anyOpening = false;
        boolean anyMerged = false;
        for (SessionParts.Part p : parts) {
            if (p.opens) {
                opening.addRow(p.rollupRow(Dialect.POSTGRES));
                anyOpening = true;
            } else {
                merged.addRow(p.row());
                anyMerged = true;
            }
        }
        if (anyOpening) {
            copy(c, NEW_SESSIONS, opening.bytes());
        }
        if (anyMerged) {
            try (Statement st = c.createStatement()) {
                st.execute(Dialect.POSTGRES.render("CREATE TEMP TABLE IF NOT EXISTS " + PARTS_STAGE + " ("
                        + String.join(", ", SessionRollup.partColumns()) + ") ON COMMIT DELETE ROWS"));
                copy(c, "pg_temp." + PARTS_STAGE, merged.bytes());
                st.executeUpdate(UPSERT_PARTS);
            }
        }
    }

    private static void createStage(Statement st) throws SQLException {
        // Per pooled connection, emptied at every commit: no catalog churn per batch.
        st.execute("CREATE TEMP TABLE IF NOT EXISTS " + STAGE + " (LIKE " + LIVE_TABLE
                + " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS");
    }

    @Override
    public boolean tableExists(String table) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return TableRename.exists(c, table);
        }
    }

    @Override
    public void createTable(String table) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            for (String sql : Migrations.eventsTableStatements(Dialect.POSTGRES, table)) {
                st.execute(sql);
            }
        }
    }

    @Override
    public long append(String table, List<StoredEvent> events) throws SQLException {
        Migrations.checkTableName(table);
        return inTransaction(c -> stageAndInsert(c, table, copyText(events)));
    }

    @Override
    public void promote(String table) throws SQLException {
        Migrations.checkTableName(table);
        inTransaction(c -> {
            if (!TableRename.exists(c, table)) {
                throw new IllegalStateException("table " + schema + "." + table + " does not exist");
            }
            if (TableRename.exists(c, PREVIOUS_TABLE)) {
                throw new IllegalStateException("table " + schema + "." + PREVIOUS_TABLE + " exists already: drop it first");
            }
            Deletions.removeFrom(c, table);
            TableRename.swap(c, table, LIVE_TABLE);
            renameRangeIndex(c, PREVIOUS_TABLE);
            renameRangeIndex(c, LIVE_TABLE);
            SessionRollup.rebuild(c, Dialect.POSTGRES);
            Retention.afterPromote(c, LIVE_TABLE);
            return 0L;
        });
    }

    @Override
    public List<Deletions.Range> deletions() throws SQLException {
        try (Connection c = pool.getConnection()) {
            return Deletions.read(c, Dialect.POSTGRES);
        }
    }

    @Override
    public long deleteSite(String site, Instant from, Instant to) throws SQLException {
        return inTransaction(c -> untimed(c, () -> {
            // Loaders wait (their batches append to events and merge into the rollup) until this commits; readers
            // do not: the rollup's other sites are not touched.
            try (Statement st = c.createStatement()) {
                st.execute("LOCK TABLE " + LIVE_TABLE + " IN SHARE ROW EXCLUSIVE MODE");
            }
            return WarehouseWriter.deleteEvents(c, Dialect.POSTGRES, LIVE_TABLE, site, from, to);
        }));
    }

    @Override
    public long expire(Instant before) throws SQLException {
        // Loaders go on: they write recent events, and row locks order them with the sessions this rebuilds.
        // events_prev first, in a transaction of its own: a scan of a table no loader writes and no rollup depends on,
        // which then holds none of the locks the live table's run takes.
        inTransaction(c -> untimed(c, () -> {
            WarehouseWriter.expirePrevious(c, before);
            return 0L;
        }));
        return inTransaction(c -> untimed(c, () -> Retention.expire(c, Dialect.POSTGRES, LIVE_TABLE, before)));
    }

    /**
     * Runs {@code work} on {@code c} without the pool's socket timeout, which is there for the loader's batches: a
     * large deletion may outlast it.
     */
    private static long untimed(Connection c, Work work) throws SQLException {
        int timeout = c.getNetworkTimeout();
        c.setNetworkTimeout(Runnable::run, 0);
        try {
            return work.run();
        } finally {
            c.setNetworkTimeout(Runnable::run, timeout);
        }
    }

    private interface Work {
        long run() throws SQLException;
    }

    /**
     * Names a table's (site, received_at) index after the table again once {@code promote} has renamed it
     * (PostgreSQL keeps index names on a table rename). Otherwise the promoted table keeps, say,
     * {@code events_v2_site_received_at}, and a later replay into a new {@code events_v2} skips its own index
     * ({@code CREATE INDEX IF NOT EXISTS} sees the name taken) and leaves time ranges unindexed.
     */
    private static void renameRangeIndex(Connection c, String table) throws SQLException {
        String wanted = table + "_site_received_at";
        String found = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                + "AND tablename = ? AND indexname LIKE '%\\_site\\_received\\_at'")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    found = rs.getString(1);
                }
            }
        }
        if (found != null && !found.equals(wanted)) {
            try (Statement st = c.createStatement()) {
                st.execute("ALTER INDEX " + found + " RENAME TO " + wanted);
            }
        }
    }

    private static byte[] copyText(List<StoredEvent> events) {
        CopyText copy = new CopyText(events.size() * 600);
        for (StoredEvent e : events) {
            copy.add(e);
        }
        return copy.bytes();
    }

    private static void copy(Connection c, String table, byte[] rows) throws SQLException {
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN",
                    new ByteArrayInputStream(rows), 256 * 1024);
        } catch (IOException e) {
            throw new SQLException("COPY into " + table + " failed: " + e.getMessage(), e);
        }
    }

    private static long stageAndInsert(Connection c, String table, byte[] rows) throws SQLException {
        try (Statement st = c.createStatement()) {
            createStage(st);
            copy(c, "pg_temp." + STAGE, rows);
            return st.executeUpdate(Dialect.POSTGRES.insertNewRows(table, "pg_temp." + STAGE));
        }
    }

    /** Work that runs inside one transaction on one pooled connection. */
    private interface TransactionWork {
        long run(Connection c) throws SQLException;
    }

    private long inTransaction(TransactionWork work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                long result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            }
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
