package io.footfall.app.cli;

import io.footfall.app.standalone.Roles;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.loader.warehouse.WarehouseWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code footfall promote TABLE}: makes a replayed table the live one in one transaction. */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Make a replayed table the live events table, atomically; the old one is kept as events_prev.")
public final class PromoteCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Parameters(index = "0", paramLabel = "TABLE", description = "the replayed table, e.g. events_v2")
    String table;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "standalone data directory (default ./data)")
    Path dataDir;

    @Override
    public Integer call() throws SQLException {
        try {
            io.footfall.loader.schema.Migrations.checkTableName(table);
        } catch (IllegalArgumentException e) {
            throw new io.footfall.core.config.ConfigException("TABLE: " + e.getMessage());
        }
        if (table.equals(WarehouseWriter.LIVE_TABLE)) {
            throw new io.footfall.core.config.ConfigException("TABLE: " + table + " is the live table already; promote a table"
                    + " that footfall replay made, e.g. events_v2");
        }
        if (table.startsWith("footfall_")) {
            throw new io.footfall.core.config.ConfigException("TABLE: " + table + " is one of footfall's own tables, not an"
                    + " events table that footfall replay made");
        }
        Map<String, String> flags = new LinkedHashMap<>();
        StandaloneCommand.put(flags, "dataDir", dataDir);
        return promote(options.load(flags));
    }

    /**
     * How many events of the live table {@code table} lacks, and the newest one's receipt in epoch ms; counted
     * just before the swap, so a live loader may add a few more.
     */
    private static long[] notIn(Warehouse warehouse, String table) throws SQLException {
        try (java.sql.Connection c = warehouse.readConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*), CAST(coalesce(max(extract(epoch FROM received_at)), 0) * 1000 AS BIGINT)"
                     + " FROM " + WarehouseWriter.LIVE_TABLE + " e WHERE NOT EXISTS (SELECT 1 FROM " + table
                     + " n WHERE n.event_id = e.event_id)")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    private <W extends Warehouse & WarehouseWriter> int promote(FootfallConfig config) throws SQLException {
        long[] left;
        try (W warehouse = Roles.warehouse(config)) {
            warehouse.migrate();
            left = warehouse.tableExists(table) ? notIn(warehouse, table) : new long[] {0, 0};
            warehouse.promote(table);
        }
        System.out.println("footfall: " + table + " is now the live table '" + WarehouseWriter.LIVE_TABLE
                + "'; the previous one is kept as '" + WarehouseWriter.PREVIOUS_TABLE + "'");
        if (left[0] > 0) {
            // Events before the replay's --from or after its end (a live loader kept loading): say so, they are
            // easy to miss, and only events_prev has them now.
            System.err.println("footfall: note: " + left[0] + " events of the previous live table are not in " + table
                    + " (the newest received at " + java.time.Instant.ofEpochMilli(left[1]) + "): only '"
                    + WarehouseWriter.PREVIOUS_TABLE + "' has them; replay their range again to bring them in");
        }
        return 0;
    }
}
