package io.footfall.loader.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Table existence and the two renames of {@code promote}; the same SQL on DuckDB and PostgreSQL. */
final class TableRename {

    private TableRename() {
    }

    /**
     * Whether the schema holds {@code table} as a table of its own: not a temporary table (the DuckDB loader's
     * staging tables, {@code events_stage} and {@code sessions_stage}, live in DuckDB's {@code temp} catalog
     * under the same schema name, and promoting one would leave the warehouse without its events).
     */
    static boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM information_schema.tables "
                + "WHERE table_schema = current_schema() AND table_name = ? AND table_type = 'BASE TABLE'")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /** Inside the caller's transaction: live → {@code events_prev}, then new → live. */
    static void swap(Connection c, String newTable, String liveTable) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + liveTable + " RENAME TO " + WarehouseWriter.PREVIOUS_TABLE);
            st.execute("ALTER TABLE " + newTable + " RENAME TO " + liveTable);
        }
    }
}
