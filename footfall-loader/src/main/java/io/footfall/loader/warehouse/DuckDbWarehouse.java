package io.footfall.loader.warehouse;

import io.footfall.core.config.LoaderConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.loader.schema.HourVersions;
import io.footfall.loader.schema.Deletions;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.Migrations;
import io.footfall.loader.schema.Retention;
import io.footfall.loader.schema.SessionRollup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The embedded DuckDB warehouse. One database instance per file per process: the writer uses the root
 * connection, readers get {@link DuckDBConnection#duplicate() duplicates} of it (DuckDB's MVCC lets them
 * read while a batch is being written).
 *
 * <p>A batch of new ids goes through the Appender (~190k rows/s here; JDBC batches manage ~1.8k) straight into
 * {@code events} (a batch holding a stored id through a temporary staging table instead, see {@link #write}),
 * its sessions are folded into the sessions rollup, its hours' {@link HourVersions versions} and those of its
 * sessions' start hours go up, and the offsets move by compare-and-set ({@link OffsetFence}) — all in one
 * transaction.
 */
public final class DuckDbWarehouse implements Warehouse, WarehouseWriter {

    /**
     * Rows per row group in the tables footfall writes, against DuckDB's 122,880. DuckDB compresses a row group
     * when it fills, in the checkpoint that follows: ~1.3 s for a full default group of event rows here, a
     * stall every 12 s at 10,000 events/s that no commit could hide. With 16,384 rows the worst checkpoint of a
     * 10,000-row-commit benchmark fell from 1.3 s to 0.22 s and all its checkpoints together took half the time,
     * for a file 17–35 % larger and the same scan speed (BENCHMARKS.md, Loader). A write-time setting DuckDB takes
     * only when attaching a file, hence {@link #CATALOG}.
     */
    public static final int ROW_GROUP_ROWS = 16_384;
    /**
     * The name the warehouse file is attached under; every connection reads and writes it ({@code USE}). The
     * connection itself opens an in-memory database, which holds nothing.
     */
    static final String CATALOG = "footfall";
    /** The name a copy's file is attached under while {@link #copyTo} writes it. */
    private static final String COPY_CATALOG = "footfall_copy";

    private final Path file;
    private final DuckDBConnection root;
    private final String table;
    private final KeptReadConnections kept;
    /**
     * Whether the rollup's columns are in the order {@link #appendOpeningPart} appends them (checked by
     * {@link #migrate}; a file whose rollup differs has every part merged by the upsert instead).
     */
    private boolean rollupAppendable;
    /** The last number {@link #nextWrite} gave; guarded by this (writes are synchronized). */
    private long lastWrite;

    private DuckDbWarehouse(Path file, DuckDBConnection root, String table) {
        this.file = file;
        this.root = root;
        this.table = table;
        this.kept = new KeptReadConnections(() -> newReadConnection(root));
    }

    /** Opens the DuckDB file with the default checkpoint size and memory; see {@link #open(Path, long, long)}. */
    public static DuckDbWarehouse open(Path file) {
        return open(file, LoaderConfig.DEFAULT_DUCKDB_CHECKPOINT_BYTES, LoaderConfig.DEFAULT_DUCKDB_MEMORY_BYTES);
    }

    /**
     * Opens (creating if needed) the DuckDB file.
     *
     * @param checkpointBytes the write-ahead log size at which DuckDB checkpoints (in the commit that passes it)
     * @param memoryBytes     DuckDB's {@code memory_limit}: its cache of the file and what queries hold, outside the
     *                        JVM's heap; queries that need more spill to {@code <file>.tmp}
     * @throws IllegalStateException with a one-line reason when the file cannot be opened (locked by another
     *                               process, not a DuckDB file, directory not writable)
     */
    public static DuckDbWarehouse open(Path file, long checkpointBytes, long memoryBytes) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("warehouse directory for " + file + " cannot be created: " + e.getMessage());
        }
        DuckDBConnection connection = null;
        try {
            Properties props = new Properties();
            props.setProperty("checkpoint_threshold", checkpointBytes + "B");
            props.setProperty("memory_limit", memoryBytes + "B");
            // Beside the file, as DuckDB puts it for a file it opens itself (this connection opens an in-memory
            // database and attaches the file, whose temporary directory would otherwise be the working directory's).
            props.setProperty("temp_directory", file.toAbsolutePath() + ".tmp");
            connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", props);
            attachAsDefault(connection, file);
            return new DuckDbWarehouse(file, connection, "events");
        } catch (SQLException e) {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw new IllegalStateException("DuckDB file " + file + " cannot be opened: " + firstLine(e.getMessage()));
        }
    }

    /**
     * Attaches {@code file} to {@code c} (a connection to an in-memory database) with {@link #ROW_GROUP_ROWS}-row
     * row groups, as {@link #CATALOG}, and makes it the connection's default: how the warehouse opens its file,
     * and how benchmarks write a file the way the loader does.
     */
    public static void attachAsDefault(Connection c, Path file) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ATTACH '" + file.toAbsolutePath().toString().replace("'", "''") + "' AS " + CATALOG
                    + " (ROW_GROUP_SIZE " + ROW_GROUP_ROWS + ")");
            st.execute("USE " + CATALOG);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    public Path file() {
        return file;
    }

    @Override
    public String dialect() {
        return Dialect.DUCKDB.wireName();
    }

    @Override
    public Connection readConnection() throws SQLException {
        return newReadConnection(root);
    }

    /**
     * {@code COPY FROM DATABASE} into {@code file}, attached for the copy: one statement, so one transaction and one
     * snapshot of every table, stored offsets included, while the loader goes on committing beside it. The copy is
     * compact (written at once, no deleted rows) and keeps every table's keys.
     */
    @Override
    public long copyTo(Path file) throws SQLException {
        try (Connection c = readConnection()) {
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute("ATTACH '" + file.toAbsolutePath().toString().replace("'", "''") + "' AS " + COPY_CATALOG);
            }
            SQLException failure = null;
            long events = -1;
            try (Statement st = c.createStatement()) {
                st.execute("COPY FROM DATABASE " + CATALOG + " TO " + COPY_CATALOG);
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + COPY_CATALOG + "." + eventsTable())) {
                    rs.next();
                    events = rs.getLong(1);
                }
            } catch (SQLException e) {
                failure = e;
            }
            // A failed statement closes its JDBC statement: the detach gets a new one.
            try (Statement st = c.createStatement()) {
                st.execute("DETACH " + COPY_CATALOG);
            } catch (SQLException e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
            if (failure != null) {
                throw failure;
            }
            return events;
        }
    }

    /** A new connection to the same database instance, reading the warehouse file by default like the root. */
    private static Connection newReadConnection(DuckDBConnection root) throws SQLException {
        Connection c = root.duplicate();
        try (Statement st = c.createStatement()) {
            st.execute("USE " + CATALOG);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    @Override
    public Connection keptReadConnection() throws SQLException {
        return kept.borrow();
    }

    /** Read connections waiting between borrowers of {@link #keptReadConnection} (for tests). */
    KeptReadConnections keptReadConnections() {
        return kept;
    }

    @Override
    public String eventsTable() {
        return table;
    }

    @Override
    public Dialect sqlDialect() {
        return Dialect.DUCKDB;
    }

    @Override
    public synchronized void migrate() throws SQLException {
        Migrations.apply(root, Dialect.DUCKDB);
        try (Statement st = root.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS events_stage AS SELECT * FROM " + table + " LIMIT 0");
            st.execute(Dialect.DUCKDB.render("CREATE TEMP TABLE IF NOT EXISTS sessions_stage ("
                    + String.join(", ", SessionRollup.partColumns()) + ")"));
            List<String> columns = new ArrayList<>();
            try (java.sql.ResultSet rs = st.executeQuery("SELECT column_name FROM information_schema.columns WHERE table_catalog = '"
                    + CATALOG + "' AND table_schema = 'main' AND table_name = '" + SessionRollup.TABLE + "' ORDER BY ordinal_position")) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
            rollupAppendable = columns.equals(SessionRollup.duckDbColumns());
        }
    }

    @Override
    public synchronized Map<Integer, Long> storedOffsets(String topic) throws SQLException {
        return OffsetFence.read(root, topic);
    }

    /**
     * Rows, sessions rollup and offsets in one transaction. The common case is a batch of ids never seen:
     * the Appender writes it straight into {@code events}, and its sessions, folded in Java, are upserted into
     * the rollup. A stored (or repeated) id makes the Appender fail; then the transaction is rolled back and
     * run again through the staging table, with the stored and repeated ids removed first, so that only rows
     * actually inserted reach the rollup.
     */
    @Override
    public synchronized long write(List<StoredEvent> events, String topic, List<OffsetCommit> offsets)
            throws SQLException {
        try {
            return writeLive(events, topic, offsets, false);
        } catch (SQLException e) {
            if (!isDuplicateKey(e)) {
                throw e;
            }
            return writeLive(events, topic, offsets, true);
        }
    }

    private long writeLive(List<StoredEvent> batch, String topic, List<OffsetCommit> offsets, boolean dropStored)
            throws SQLException {
        return inTransaction(() -> {
            // The fence first: a stale batch is refused before any row is staged.
            OffsetFence.advance(root, topic, offsets);
            List<StoredEvent> events = Deletions.without(root, Dialect.DUCKDB, batch);
            if (events.isEmpty()) {
                return 0L;
            }
            try (Statement st = root.createStatement()) {
                // The Appender joins the connection's transaction only once a statement has opened it (the
                // fence's, above); as the first thing in a transaction it would commit on its own.
                if (!dropStored && !offsets.isEmpty()) {
                    try (DuckDBAppender appender = root.createAppender(DuckDBConnection.DEFAULT_SCHEMA, table)) {
                        for (StoredEvent e : events) {
                            AppenderRows.append(appender, e);
                        }
                    }
                    writeParts(st, SessionParts.fold(events), events);
                    return events.size();
                }
                stage(st, events);
                st.execute("DELETE FROM events_stage WHERE event_id IN (SELECT event_id FROM " + table + ")");
                st.execute("DELETE FROM events_stage WHERE rowid NOT IN (SELECT min(rowid) FROM events_stage GROUP BY event_id)");
                long inserted = st.executeUpdate("INSERT INTO " + table + " SELECT * FROM events_stage");
                foldSessions(st, write -> SessionRollup.upsertFrom(Dialect.DUCKDB, "events_stage", write), events);
                return inserted;
            }
        });
    }

    /**
     * The fast path's sessions: the parts that open their session appended straight into the rollup (as the
     * events are: a stored row with the same key fails the Appender, and the batch goes the staging path), the
     * others staged and merged by one upsert; then the hours' versions. Appending the opening parts skips their
     * staging and the upsert's lookup and merge: batches that open sessions +26 % rows/s ({@code WriteBench
     * duckdb}, BENCHMARKS.md).
     */
    private void writeParts(Statement st, List<SessionParts.Part> parts, List<StoredEvent> events) throws SQLException {
        long write = nextWrite();
        List<SessionParts.Part> opening = new ArrayList<>(parts.size());
        List<SessionParts.Part> merged = new ArrayList<>(parts.size());
        for (SessionParts.Part p : parts) {
            (p.opens && rollupAppendable ? opening : merged).add(p);
        }
        if (!opening.isEmpty()) {
            try (DuckDBAppender appender = root.createAppender(DuckDBConnection.DEFAULT_SCHEMA, SessionRollup.TABLE)) {
                for (SessionParts.Part p : opening) {
                    appendOpeningPart(appender, p, write);
                }
            }
        }
        if (!merged.isEmpty()) {
            st.execute("DELETE FROM sessions_stage");
            try (DuckDBAppender appender = root.createAppender("temp", "main", "sessions_stage")) {
                for (SessionParts.Part p : merged) {
                    appendPart(appender, p);
                }
            }
            st.execute(SessionRollup.upsertParts(Dialect.DUCKDB, "sessions_stage", write));
        }
        bumpVersions(events, write);
    }

    /** Folds staged events into the sessions rollup with {@code upsert} (given the write's number), then the hours' versions. */
    private void foldSessions(Statement st, java.util.function.LongFunction<String> upsert, List<StoredEvent> events)
            throws SQLException {
        long write = nextWrite();
        st.execute(upsert.apply(write));
        bumpVersions(events, write);
    }

    /** Raises the versions of the batch's event hours and of the start hours of the sessions that write {@code write} changed. */
    private void bumpVersions(List<StoredEvent> events, long write) throws SQLException {
        HourVersions.bump(root, events);
        HourVersions.bumpSessions(root, write);
    }

    /**
     * A number for the next rollup write ({@link SessionRollup#CHANGED_BY}), above every earlier one: the clock in
     * µs, or one more than the last if the clock has not moved on (or went back). A number reused after a restart
     * with the clock set back only makes that write raise more hours' versions than it changed: harmless.
     */
    private long nextWrite() {
        lastWrite = Math.max(lastWrite + 1, System.currentTimeMillis() * 1000);
        return lastWrite;
    }

    /** A part that opens its session as a whole row of the rollup, in {@link SessionRollup#duckDbColumns()} order. */
    private static void appendOpeningPart(DuckDBAppender a, SessionParts.Part p, long write) throws SQLException {
        Object[] row = p.rollupRow(Dialect.DUCKDB);
        int marksAt = SessionRollup.duckDbMarksAt();
        a.beginRow();
        appendValues(a, Arrays.copyOfRange(row, 0, marksAt));
        a.append(write);
        a.appendNull(); // start_hour_before: the row is new
        appendValues(a, Arrays.copyOfRange(row, marksAt, row.length)); // the columns added after the marks
        a.endRow();
    }

    private static void appendPart(DuckDBAppender a, SessionParts.Part p) throws SQLException {
        a.beginRow();
        appendValues(a, p.row());
        a.endRow();
    }

    /** Values of a row: String, Boolean, Long, Instant or null. */
    private static void appendValues(DuckDBAppender a, Object[] values) throws SQLException {
        for (Object value : values) {
            if (value == null) {
                a.appendNull();
            } else if (value instanceof String text) {
                a.append(text);
            } else if (value instanceof Boolean flag) {
                a.append(flag.booleanValue());
            } else if (value instanceof Instant at) {
                a.appendEpochMicros(at.toEpochMilli() * 1000);
            } else {
                a.append(((Long) value).longValue());
            }
        }
    }

    /**
     * A stored or repeated id, or a session opened twice: an Appender's flush fails on the primary key and aborts
     * the transaction, which (depending on where the flush happens) surfaces as the constraint error, as the next
     * statement's "transaction is aborted" or as the next Appender's failure to open. Anything else that aborts
     * the fast path is retried once through the staging path too, which then fails with its own error if the
     * warehouse really is in trouble.
     */
    private static boolean isDuplicateKey(SQLException e) {
        String message = e.getMessage();
        return !(e instanceof StaleBatchException) && message != null
                && (message.contains("Duplicate key") || message.contains("Constraint Error")
                || message.contains("transaction is aborted") || message.contains("Appender error"));
    }

    @Override
    public synchronized boolean tableExists(String name) throws SQLException {
        return TableRename.exists(root, name);
    }

    @Override
    public synchronized void createTable(String newTable) throws SQLException {
        try (Statement st = root.createStatement()) {
            for (String sql : Migrations.eventsTableStatements(Dialect.DUCKDB, newTable)) {
                st.execute(sql);
            }
        }
    }

    @Override
    public synchronized long append(String target, List<StoredEvent> events) throws SQLException {
        Migrations.checkTableName(target);
        return inTransaction(() -> stageAndInsert(target, events));
    }

    @Override
    public synchronized void promote(String newTable) throws SQLException {
        Migrations.checkTableName(newTable);
        if (!TableRename.exists(root, newTable)) {
            throw new IllegalStateException("table " + newTable + " does not exist");
        }
        if (TableRename.exists(root, PREVIOUS_TABLE)) {
            throw new IllegalStateException("table " + PREVIOUS_TABLE + " exists already: drop it first");
        }
        inTransaction(() -> {
            Deletions.removeFrom(root, newTable);
            TableRename.swap(root, newTable, table);
            SessionRollup.rebuild(root, Dialect.DUCKDB);
            Retention.afterPromote(root, table);
            return 0L;
        });
    }

    @Override
    public List<Deletions.Range> deletions() throws SQLException {
        try (Connection c = readConnection()) {
            return Deletions.read(c, Dialect.DUCKDB);
        }
    }

    @Override
    public synchronized long deleteSite(String site, Instant from, Instant to) throws SQLException {
        return inTransaction(() -> WarehouseWriter.deleteEvents(root, Dialect.DUCKDB, table, site, from, to));
    }

    @Override
    public synchronized long expire(Instant before) throws SQLException {
        // The loader's next batch waits for this (both hold the warehouse), and readers wait for its commit: hence
        // the steps of expiryStep.
        return inTransaction(() -> {
            long deleted = Retention.expire(root, Dialect.DUCKDB, table, before);
            if (table.equals(LIVE_TABLE)) {
                WarehouseWriter.expirePrevious(root, before);
            }
            return deleted;
        });
    }

    @Override
    public synchronized Instant expiryStep(Instant before, long maxEvents) throws SQLException {
        // A step deletes from events_prev too (expire): its events count towards the step's size.
        String source = table.equals(LIVE_TABLE) && TableRename.exists(root, PREVIOUS_TABLE)
                ? "(SELECT received_at FROM " + table + " UNION ALL SELECT received_at FROM " + PREVIOUS_TABLE + ") AS both_tables"
                : table;
        try (PreparedStatement ps = root.prepareStatement("SELECT epoch_us(min(received_at)), (SELECT epoch_us(received_at) FROM "
                + source + " WHERE received_at < to_timestamp(?) ORDER BY received_at LIMIT 1 OFFSET ?) FROM " + source
                + " WHERE received_at < to_timestamp(?)")) {
            double cutoff = before.getEpochSecond();
            ps.setDouble(1, cutoff);
            ps.setLong(2, maxEvents);
            ps.setDouble(3, cutoff);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long oldest = rs.getLong(1);
                boolean none = rs.wasNull();
                long next = rs.getLong(2);
                if (none || rs.wasNull()) {
                    return before;
                }
                // Events older than the next one's second: at most maxEvents, and at least the oldest second's.
                long second = Math.max(Math.floorDiv(next, 1_000_000L), Math.floorDiv(oldest, 1_000_000L) + 1);
                Instant step = Instant.ofEpochSecond(second);
                return step.isBefore(before) ? step : before;
            }
        }
    }

    private long stageAndInsert(String target, List<StoredEvent> events) throws SQLException {
        try (Statement st = root.createStatement()) {
            stage(st, events);
            return st.executeUpdate(Dialect.DUCKDB.insertNewRows(target, "events_stage"));
        }
    }

    private void stage(Statement st, List<StoredEvent> events) throws SQLException {
        st.execute("DELETE FROM events_stage");
        try (DuckDBAppender appender = root.createAppender("temp", "main", "events_stage")) {
            for (StoredEvent e : events) {
                AppenderRows.append(appender, e);
            }
        }
    }

    /** Work that runs inside one transaction. */
    private interface TransactionWork {
        long run() throws SQLException;
    }

    private long inTransaction(TransactionWork work) throws SQLException {
        root.setAutoCommit(false);
        try {
            long result = work.run();
            root.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            root.rollback();
            throw e;
        } finally {
            root.setAutoCommit(true);
        }
    }

    @Override
    public synchronized void close() {
        kept.close();
        try {
            root.close();
        } catch (SQLException e) {
            // closing: nothing left to do with the error
        }
    }
}
