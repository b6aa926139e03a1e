package io.footfall.app.cli;

import io.footfall.app.standalone.Standalone;
import io.footfall.core.config.FootfallConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import io.footfall.loader.warehouse.WarehouseWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "standalone", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline in one process: embedded Kafka, collector, enricher, loader (DuckDB), query server.")
public final class StandaloneCommand implements Callable<Integer> {

    private final UnaryOperator<WarehouseWriter> writerDecorator;

    @Mixin
    ConfigOptions configOptions;

    public StandaloneCommand() {
        this(UnaryOperator.identity());
    }

    /** For reliability tests only: runs standalone with a wrapped (fault-injecting) warehouse writer. */
    public StandaloneCommand(UnaryOperator<WarehouseWriter> writerDecorator) {
        this.writerDecorator = writerDecorator;
    }

    @Option(names = "--data-dir", paramLabel = "DIR", description = "where the broker log and the DuckDB file live (default ./data)")
    Path dataDir;

    @Option(names = "--collector-port", paramLabel = "PORT", description = "collector HTTP port (default 8080)")
    Integer collectorPort;

    @Option(names = "--admin-port", paramLabel = "PORT", description = "query server port, on 127.0.0.1 (default 8081)")
    Integer adminPort;

    @Option(names = "--kafka-port", paramLabel = "PORT", description = "embedded broker port; 0 = a free port (default 0)")
    Integer kafkaPort;

    @Option(names = "--partitions", paramLabel = "N", description = "partitions per topic when topics are created (default 6)")
    Integer partitions;

    /** The standalone runs its own broker: a configured {@code kafka.bootstrapServers} is dropped, with a note. */
    static FootfallConfig withOwnBroker(FootfallConfig config) {
        if (config.kafka().embedded()) {
            return config;
        }
        System.err.println("footfall: note: kafka.bootstrapServers is ignored in standalone mode (it runs its own broker)");
        return config.withKafka(config.kafka().withBootstrapServers(""));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        put(flags, "dataDir", dataDir);
        put(flags, "collector.port", collectorPort);
        put(flags, "query.port", adminPort);
        put(flags, "kafka.embeddedPort", kafkaPort);
        put(flags, "kafka.partitions", partitions);
        FootfallConfig config = withOwnBroker(configOptions.load(flags));
        return Lifecycle.run("footfall: stopping (draining the collector first)", "footfall: stopped", life -> {
            Standalone standalone = new Standalone(config, System.out, writerDecorator);
            life.push(standalone);
            standalone.start(life::stopping);
            RoleCommands.exitWhenALoaderFails(standalone.loaders(), "standalone");
        });
    }

    static void put(Map<String, String> flags, String key, Object value) {
        if (value != null) {
            flags.put(key, value.toString());
        }
    }
}
