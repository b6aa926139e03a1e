package io.footfall.query.sql;

import io.footfall.core.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one checked SELECT with the database's own protections on: always inside a transaction that is
 * rolled back (nothing a statement does can persist), cancelled after the timeout, cut at the row limit.
 *
 * <p>DuckDB has no per-connection read-only mode, so before the first statement the whole embedded
 * instance gets {@code enable_external_access=false} (no file, network or extension access for any SQL)
 * and {@code lock_configuration=true} (no SET can undo it). footfall's own writer needs neither. PostgreSQL
 * runs user SQL in a {@code READ ONLY} transaction with {@code statement_timeout}, optionally as a
 * configured read-only role.
 */
public final class SqlRunner implements AutoCloseable {

    /** Column names and types, rows as {@link SqlValues} gives them, and whether rows beyond the limit were cut. */
    public record Result(List<String> columns, List<String> types, List<Object[]> rows, boolean truncated) {
    }

    private final Warehouse warehouse;
    private final Duration timeout;
    private final int maxRows;
    private final String postgresRole;
    /** PostgreSQL: the SQL API's own login ({@code query.sqlUser}), or empty for the warehouse user's. */
    private final String postgresUser;
    private final String postgresPassword;
    /**
     * One thread per statement that can run at once (the query server's pool has 4): DuckDB's cancel waits for the
     * connection's lock, which a long prepare holds, and one such wait must not delay every other statement's cancel.
     */
    private final ScheduledExecutorService canceller = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "footfall-sql-timeout");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean lockedDown = new AtomicBoolean();
    /** The one directory the embedded DuckDB may still write files in once locked down (backups), or null. */
    private volatile java.nio.file.Path writableDirectory;

    public SqlRunner(Warehouse warehouse, Duration timeout, int maxRows, String postgresRole) {
        this(warehouse, timeout, maxRows, postgresRole, "", "");
    }

    public SqlRunner(Warehouse warehouse, Duration timeout, int maxRows, String postgresRole, String postgresUser,
                     String postgresPassword) {
        this.warehouse = warehouse;
        this.timeout = timeout;
        this.maxRows = maxRows;
        this.postgresRole = postgresRole;
        this.postgresUser = postgresUser;
        this.postgresPassword = postgresPassword;
    }

    /**
     * Keeps {@code dir} open to the embedded DuckDB after {@link #lockDown} (where {@code POST /api/backup} writes its
     * copies); the SQL API's statements stay read-only SELECTs all the same. Call before the lock-down.
     */
    public void allowDirectory(java.nio.file.Path dir) {
        this.writableDirectory = dir.toAbsolutePath().normalize();
    }

    /** Disables external access and locks the configuration of an embedded DuckDB; idempotent. */
    public void lockDown() throws SQLException {
        if (!isDuckDb() || lockedDown.get()) {
            return;
        }
        synchronized (lockedDown) {
            if (lockedDown.get()) {
                return;
            }
            try (Connection c = warehouse.readConnection(); Statement st = c.createStatement()) {
                if (writableDirectory != null) {
                    st.execute("SET allowed_directories = ['" + writableDirectory.toString().replace("'", "''") + "/']");
                }
                st.execute("SET enable_external_access = false");
                st.execute("SET lock_configuration = true");
            }
            lockedDown.set(true);
        }
    }

    /**
     * On PostgreSQL with a {@code query.sqlRole}: the role exists, or the start fails naming it (else every
     * {@code POST /api/sql} would answer with PostgreSQL's "role does not exist", an analyst's error for an operator's
     * setting). A warehouse that does not answer now is left to the requests.
     *
     * @throws IllegalStateException when PostgreSQL has no such role
     */
    public void checkRole() {
        if (isDuckDb() || postgresRole.isEmpty()) {
            return;
        }
        try (Connection c = warehouse.readConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, postgresRole);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("query.sqlRole: PostgreSQL has no role '" + postgresRole + "' (create it,"
                            + " with SELECT on the schema's tables only, or leave query.sqlRole empty)");
                }
            }
        } catch (SQLException e) {
            // unreachable now: the SQL API's requests will say so
        }
    }

    private Connection connection() throws SQLException {
        return warehouse.isolatedReadConnection(postgresUser, postgresPassword);
    }

    /**
     * On PostgreSQL with a {@code query.sqlUser}: PostgreSQL accepts the login, or the start fails naming it (else every
     * {@code POST /api/sql} would answer with an authentication error). A warehouse that does not answer now is left to
     * the requests.
     *
     * @throws IllegalStateException when PostgreSQL refuses the login
     */
    public void checkLogin() {
        if (isDuckDb() || postgresUser.isEmpty()) {
            return;
        }
        try (Connection c = connection()) {
            // logged in
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.startsWith("28") || state.equals("3D000")) {
                throw new IllegalStateException("query.sqlUser: PostgreSQL refused the login '" + postgresUser + "' ("
                        + e.getMessage().lines().findFirst().orElse("") + "); create it with SELECT on the schema's tables"
                        + " only, or leave query.sqlUser empty");
            }
            // unreachable now: the SQL API's requests will say so
        }
    }

    private boolean isDuckDb() {
        return warehouse.dialect().equals("duckdb");
    }

    /**
     * @throws SqlTimeoutException when the statement ran longer than the timeout
     * @throws SQLException        the database's refusal or error
     * @throws RefusedSqlException the database's own parser reads more than one statement, or a file or function the
     *                             SQL API does not allow ({@link ParserCheck})
     */
    public Result run(String checkedSql) throws SQLException, SqlTimeoutException, RefusedSqlException {
        lockDown();
        if (!isDuckDb()) {
            ParserCheck.postgres(checkedSql);
        }
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                if (isDuckDb()) {
                    ParserCheck.duckDb(c, checkedSql);
                } else {
                    c.setReadOnly(true);
                    try (Statement st = c.createStatement()) {
                        st.execute("SET TRANSACTION READ ONLY");
                        st.execute("SET LOCAL statement_timeout = " + timeout.toMillis());
                        if (!postgresRole.isEmpty()) {
                            st.execute("SET LOCAL ROLE " + postgresRole);
                        }
                    }
                }
                return query(c, checkedSql);
            } finally {
                c.rollback();
            }
        }
    }

    private Result query(Connection c, String sql) throws SQLException, SqlTimeoutException {
        AtomicBoolean timedOut = new AtomicBoolean();
        // Not prepared first: DuckDB folds constants while it prepares (levenshtein of two long strings runs there), so
        // the timeout must already be running when the text reaches the database.
        try (Statement ps = c.createStatement()) {
            // JDBC escapes ({fn name(...)}) are rewritten by pgjdbc after every check has read the text: none here
            ps.setEscapeProcessing(false);
            ps.setMaxRows(maxRows + 1);
            ScheduledFuture<?> cancel = canceller.schedule(() -> {
                timedOut.set(true);
                try {
                    ps.cancel();
                } catch (SQLException e) {
                    // the statement finished meanwhile
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            try (ResultSet rs = ps.executeQuery(sql)) {
                ResultSetMetaData md = rs.getMetaData();
                int n = md.getColumnCount();
                List<String> columns = new ArrayList<>(n);
                List<String> types = new ArrayList<>(n);
                String[] driverTypes = new String[n];
                for (int i = 1; i <= n; i++) {
                    columns.add(md.getColumnLabel(i));
                    driverTypes[i - 1] = md.getColumnTypeName(i);
                    types.add(driverTypes[i - 1].toUpperCase(Locale.ROOT));
                }
                List<Object[]> rows = new ArrayList<>();
                boolean truncated = false;
                while (rs.next()) {
                    if (rows.size() == maxRows) {
                        truncated = true;
                        break;
                    }
                    Object[] row = new Object[n];
                    for (int i = 0; i < n; i++) {
                        row[i] = SqlValues.read(rs, i + 1, driverTypes[i], !isDuckDb());
                    }
                    rows.add(row);
                }
                if (timedOut.get()) {
                    throw new SqlTimeoutException(timeout);
                }
                return new Result(columns, types, rows, truncated);
            } catch (SQLException e) {
                if (timedOut.get() || isPostgresTimeout(e)) {
                    throw new SqlTimeoutException(timeout);
                }
                throw e;
            } finally {
                cancel.cancel(false);
            }
        }
    }

    private static boolean isPostgresTimeout(SQLException e) {
        return "57014".equals(e.getSQLState());
    }

    /** The statement was cancelled after the configured timeout. */
    public static final class SqlTimeoutException extends Exception {
        SqlTimeoutException(Duration timeout) {
            super("the statement ran longer than " + timeout.toMillis() + " ms (query.sqlTimeout) and was cancelled",
                    null, false, false);
        }
    }

    @Override
    public void close() {
        canceller.shutdownNow();
    }
}
