package io.footfall.core.warehouse;

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

    /** The qualified name of the live events table. */
    String eventsTable();

    @Override
    void close();
}
