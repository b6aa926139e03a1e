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
        Map<String, String> flags = new LinkedHashMap<>();
        StandaloneCommand.put(flags, "dataDir", dataDir);
        return promote(options.load(flags));
    }

    private <W extends Warehouse & WarehouseWriter> int promote(FootfallConfig config) throws SQLException {
        try (W warehouse = Roles.warehouse(config)) {
            warehouse.migrate();
            warehouse.promote(table);
        }
        System.out.println("footfall: " + table + " is now the live table '" + WarehouseWriter.LIVE_TABLE
                + "'; the previous one is kept as '" + WarehouseWriter.PREVIOUS_TABLE + "'");
        return 0;
    }
}
