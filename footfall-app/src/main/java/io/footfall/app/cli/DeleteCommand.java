package io.footfall.app.cli;

import io.footfall.app.standalone.Roles;
import io.footfall.core.config.ConfigException;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.loader.schema.Deletions;
import io.footfall.loader.warehouse.WarehouseWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code footfall delete --site S [--from T] [--to T] --yes}: removes a site's events from the warehouse, and the
 * sessions they made, in one transaction. Without {@code --yes} it only counts them.
 */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete a site's events (all, or those received in a time range) from the warehouse, and rebuild "
                + "the sessions rollup from the rest. Without --yes, only counts them.")
public final class DeleteCommand implements Callable<Integer> {

    /** The collector's rule for a site name (EventRules): anything else has no events to delete. */
    private static final Pattern SITE = Pattern.compile("[a-z0-9._-]{1,64}");

    @Mixin
    ConfigOptions options;

    @Option(names = "--site", required = true, paramLabel = "SITE", description = "the site whose events go, e.g. example.com")
    String site;

    @Option(names = "--from", paramLabel = "TIME", description = "ISO-8601 instant: events received from then (default: the first)")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "ISO-8601 instant: events received before then (default: all later ones)")
    String to;

    @Option(names = "--yes", description = "delete; without it the command only counts what it would delete")
    boolean yes;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "standalone data directory (default ./data)")
    Path dataDir;

    /** The instants a warehouse stores (TIMESTAMPTZ of both); beyond, a bound is a typo. */
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    @Override
    public Integer call() throws SQLException {
        if (!SITE.matcher(site).matches()) {
            throw new ConfigException("--site: must match [a-z0-9._-]{1,64}, as the collector requires; got '" + site + "'");
        }
        Instant fromTime = from == null ? EARLIEST : bound("--from", from);
        Instant toTime = to == null ? LATEST : bound("--to", to);
        if (from != null && to != null && !fromTime.isBefore(toTime)) {
            throw new ConfigException("--from must be before --to; got " + fromTime + " and " + toTime);
        }
        Map<String, String> flags = new LinkedHashMap<>();
        StandaloneCommand.put(flags, "dataDir", dataDir);
        return delete(options.load(flags), fromTime, toTime);
    }

    private static Instant bound(String option, String text) {
        Instant at = ReplayCommand.instant(option, text);
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
            throw new ConfigException(option + ": must be from " + EARLIEST + " to " + LATEST + "; got " + at);
        }
        return at;
    }

    private <W extends Warehouse & WarehouseWriter> int delete(FootfallConfig config, Instant fromTime, Instant toTime)
            throws SQLException {
        String range = from == null ? (to == null ? "" : " received before " + toTime)
                : " received from " + fromTime + (to == null ? " on" : " until " + toTime);
        boolean duckdb = !config.loader().warehouse().equals("postgres");
        if (duckdb && !Files.exists(config.loader().duckdbPath())) {
            // A mistyped --data-dir would otherwise make a new, empty warehouse and report success.
            throw new ConfigException("there is no warehouse at " + config.loader().duckdbPath() + " (--data-dir or loader.duckdbPath)");
        }
        try (W warehouse = open(config, duckdb)) {
            if (!warehouse.tableExists(WarehouseWriter.LIVE_TABLE)) {
                throw new ConfigException("the warehouse has no '" + WarehouseWriter.LIVE_TABLE + "' table: "
                        + (duckdb ? "check --data-dir or loader.duckdbPath" : "check loader.schema"));
            }
            warehouse.migrate();
            // The table promote replaced, when one is kept, loses them too.
            boolean previous = warehouse.tableExists(WarehouseWriter.PREVIOUS_TABLE);
            long inPrevious = previous ? count(warehouse, WarehouseWriter.PREVIOUS_TABLE, fromTime, toTime) : 0;
            String alsoPrevious = inPrevious == 0 ? "" : " (and " + inPrevious + " from " + WarehouseWriter.PREVIOUS_TABLE
                    + ", the table promote replaced)";
            if (!yes) {
                long found = count(warehouse, WarehouseWriter.LIVE_TABLE, fromTime, toTime);
                System.out.println("footfall: " + found + " events of " + site + range + " would be deleted" + alsoPrevious
                        + (found == 0 ? "; --yes would record the deletion, for such events still in Kafka" : "; add --yes to delete them"));
                return 0;
            }
            long started = System.nanoTime();
            long deleted = warehouse.deleteSite(site, fromTime, toTime);
            if (deleted == 0) {
                System.out.println("footfall: no events of " + site + range + (inPrevious == 0 ? " in the warehouse"
                        : " in " + WarehouseWriter.LIVE_TABLE + "; " + inPrevious + " deleted from " + WarehouseWriter.PREVIOUS_TABLE)
                        + "; the deletion is recorded"
                        + " all the same (" + Deletions.TABLE + "), so loaders and replays leave out such events still in Kafka");
            } else {
                System.out.printf("footfall: deleted %d event%s of %s%s%s; its sessions rebuilt [%.1f s]%n", deleted,
                        deleted == 1 ? "" : "s", site, range, alsoPrevious, (System.nanoTime() - started) / 1e9);
            }
        }
        // The raw topic, the replay's source, still holds them; the deletion log keeps a replay from loading them again.
        System.err.println("footfall: note: footfall.raw keeps what it received for kafka.rawRetention ("
                + config.kafka().rawRetention().toHours() + " h as configured, if footfall created the topic with it); a replay leaves"
                + " these events out (the deletion is"
                + " recorded in " + Deletions.TABLE + ")");
        return 0;
    }

    private static <W extends Warehouse & WarehouseWriter> W open(FootfallConfig config, boolean duckdb) {
        try {
            return Roles.warehouse(config);
        } catch (IllegalStateException e) {
            if (duckdb) {
                // DuckDB admits one process per file.
                throw new IllegalStateException(e.getMessage() + " (is standalone or a loader running on it? stop it first)", e);
            }
            throw e;
        }
    }

    private long count(Warehouse warehouse, String table, Instant fromTime, Instant toTime) throws SQLException {
        try (Connection c = warehouse.readConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM "
                + table + WarehouseWriter.SITE_RANGE)) {
            WarehouseWriter.bindSiteRange(ps, site, fromTime, toTime);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
