package io.footfall.core.warehouse;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Read access to the SQL warehouse, as the query server sees it. The loader owns writing and the schema;
 * this interface lets the query module read without depending on the loader.
 */
public interface Warehouse extends AutoCloseable {

    /** {@code duckdb} or {@code postgres}: the SQL dialect of {@link #readConnection()}. */
    String dialect();

    /** A connection for reading; the caller closes it. Never blocks a Netty event loop: call it off-loop. */
    Connection readConnection() throws SQLException;

    /**
     * A connection for reading with statements the caller never cancels, prepared again and again with new
     * parameters (the stats API, polls): the warehouse may keep the connection and its prepared statements for
     * the next caller (DuckDB does; see the loader's {@code KeptReadConnections}). The caller closes the
     * connection and its statements as usual. By default {@link #readConnection()}.
     */
    default Connection keptReadConnection() throws SQLException {
        return readConnection();
    }

    /**
     * A connection for SQL a user wrote (the SQL API), whose session nobody else uses afterwards: whatever the statement
     * left in it (a session setting, an advisory lock) ends when the caller closes it. Logged in as {@code user}
     * (PostgreSQL: the SQL API's own login, {@code query.sqlUser}), or as the warehouse's own user when it is empty. By
     * default {@link #readConnection()}: DuckDB has no logins, its configuration is locked and it has no session locks.
     */
    default Connection isolatedReadConnection(String user, String password) throws SQLException {
        return readConnection();
    }

    /** The qualified name of the live events table. */
    String eventsTable();

    /**
     * The qualified name of the sessions rollup the loader keeps beside the live events table (one row per
     * session; see the loader's {@code SessionRollup}): in the same schema, named {@code footfall_sessions}.
     */
    default String sessionsTable() {
        return sessionsTableBeside(eventsTable());
    }

    /** The sessions rollup beside a (qualified or bare) events table: the same schema, {@code footfall_sessions}. */
    static String sessionsTableBeside(String eventsTable) {
        return eventsTable.substring(0, eventsTable.lastIndexOf('.') + 1) + "footfall_sessions";
    }

    /**
     * The qualified name of the table of per-hour versions the loader keeps beside the live events table on
     * DuckDB (see the loader's {@code HourVersions}): in the same schema, named {@code footfall_hour_versions}.
     */
    default String hourVersionsTable() {
        String events = eventsTable();
        return events.substring(0, events.lastIndexOf('.') + 1) + "footfall_hour_versions";
    }

    /**
     * The per-hour versions of the sessions rollup, by the hour a session started in (DuckDB; see the loader's
     * {@code HourVersions}): in the same schema, named {@code footfall_session_hour_versions}.
     */
    default String sessionHourVersionsTable() {
        String events = eventsTable();
        return events.substring(0, events.lastIndexOf('.') + 1) + "footfall_session_hour_versions";
    }

    /**
     * The one-row table in which the loader's retention records the cutoff it deleted events before (see the loader's
     * {@code Retention}): in the same schema, named {@code footfall_retention}.
     */
    default String retentionTable() {
        String events = eventsTable();
        return events.substring(0, events.lastIndexOf('.') + 1) + "footfall_retention";
    }

    /**
     * Writes a consistent copy of the whole warehouse into the new file {@code file}: every table (events, the
     * rollups, the loader's stored offsets) as of one moment, in one transaction, while loading goes on. A copy
     * restored in place of the warehouse file resumes loading from its own offsets. DuckDB only: a PostgreSQL
     * warehouse is backed up with PostgreSQL's own tools.
     *
     * @return the number of rows of the live events table in the copy
     * @throws UnsupportedOperationException on a warehouse that cannot copy itself, with what to use instead
     */
    default long copyTo(Path file) throws SQLException {
        throw new UnsupportedOperationException("this warehouse (" + dialect() + ") is not copied by footfall");
    }

    @Override
    void close();
}
