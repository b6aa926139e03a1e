package io.footfall.app.cli;

import io.footfall.app.broker.EmbeddedKafka;
import io.footfall.app.replay.RawReplay;
import io.footfall.app.replay.ReplayProgress;
import io.footfall.app.standalone.Roles;
import io.footfall.core.config.ConfigException;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.loader.schema.Migrations;
import io.footfall.loader.warehouse.WarehouseWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code footfall replay}: rebuilds events from {@code footfall.raw} with the current rules into a new table.
 * Against an external cluster it reads {@code kafka.bootstrapServers}; without one (a standalone data
 * directory) it starts the data directory's broker itself, which is only possible while standalone is
 * stopped — DuckDB, too, allows one process per file.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-read footfall.raw through the current enrichment rules into a new table (the live one is untouched).")
public final class ReplayCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Option(names = "--from", required = true, paramLabel = "TIME", description = "ISO-8601 instant (2026-11-01T00:00:00Z) or 'earliest'")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "ISO-8601 instant, exclusive (default: the end of the topic at start)")
    String to;

    @Option(names = "--table", required = true, paramLabel = "NAME", description = "the new table, e.g. events_v2")
    String table;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "standalone data directory (default ./data)")
    Path dataDir;

    @Override
    public Integer call() throws SQLException {
        Map<String, String> flags = new LinkedHashMap<>();
        StandaloneCommand.put(flags, "dataDir", dataDir);
        FootfallConfig config = options.load(flags);
        Instant fromTime = from.equalsIgnoreCase("earliest") ? null : instant("--from", from);
        Instant toTime = to == null ? null : instant("--to", to);
        if (toTime != null && fromTime != null && !toTime.isAfter(fromTime)) {
            throw new ConfigException("--to: must be after --from (" + fromTime + "), got " + toTime);
        }
        if (fromTime != null && fromTime.isAfter(Instant.now())) {
            throw new ConfigException("--from: " + fromTime + " is in the future");
        }
        try {
            Migrations.checkTableName(table);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--table: " + e.getMessage());
        }
        EmbeddedKafka broker = null;
        if (config.kafka().embedded()) {
            broker = startDataDirBroker(config);
            config = config.withKafka(config.kafka().withBootstrapServers(broker.bootstrapServers()));
        }
        try {
            return replay(config, fromTime, toTime);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private <W extends Warehouse & WarehouseWriter> int replay(FootfallConfig config, Instant fromTime, Instant toTime)
            throws SQLException {
        long t0 = System.nanoTime();
        try (W warehouse = Roles.warehouse(config)) {
            warehouse.migrate();
            RawReplay replay = new RawReplay(config.kafka(), config.enricher(), warehouse, Clock.systemUTC(),
                    new ReplayProgress(System.err, System::nanoTime));
            RawReplay.Result result = replay.run(table, fromTime, toTime);
            System.out.printf(Locale.ROOT, "footfall: replayed %d raw records into %s: %d rows, %d bad, %d left out "
                    + "(footfall delete had deleted them), in %.1f s%n", result.records(), table, result.rows(), result.bad(),
                    result.deleted(), (System.nanoTime() - t0) / 1e9);
            if (result.missing() > 0) {
                System.err.printf(Locale.ROOT, "footfall: %d records of the range were deleted by footfall.raw's retention "
                        + "(kafka.rawRetention) before the replay reached them: %s lacks them%n", result.missing(), table);
                return 1;
            }
            System.out.println("footfall: compare it with the live table, then 'footfall promote " + table + "'");
            return 0;
        }
    }

    private static EmbeddedKafka startDataDirBroker(FootfallConfig config) {
        try {
            return EmbeddedKafka.start(config.dataDir().resolve("kafka"), 0, config.kafka());
        } catch (IllegalStateException e) {
            throw new IllegalStateException("the broker of " + config.dataDir() + " cannot start (is standalone running? "
                    + "stop it first, or set kafka.bootstrapServers): " + e.getMessage());
        }
    }

    static Instant instant(String option, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new ConfigException(option + ": expected an ISO-8601 instant such as 2026-11-01T00:00:00Z, got '" + text + "'");
        }
    }
}
