package io.footfall.app.cli;

import io.footfall.app.broker.LocalPorts;
import io.footfall.app.broker.Topics;
import io.footfall.app.pipeline.LivePipelineProbe;
import io.footfall.app.standalone.EnricherAdmin;
import io.footfall.app.standalone.Roles;
import io.footfall.collector.http.ServerTls;
import io.footfall.collector.produce.EventSink;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.ConfigException;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.enricher.EnricherApp;
import io.footfall.loader.consume.Loaders;
import io.footfall.loader.schema.Migrations;
import io.footfall.loader.warehouse.PostgresWarehouse;
import io.footfall.loader.warehouse.WarehouseWriter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The single-role commands, for running each role on its own against an external Kafka cluster. */
public final class RoleCommands {

    private RoleCommands() {
    }

    /** Loads config that must name an external cluster. */
    static FootfallConfig external(ConfigOptions options) {
        FootfallConfig config = options.load(Map.of());
        if (config.kafka().embedded()) {
            throw new ConfigException("kafka.bootstrapServers: is required to run a single role (standalone runs its own broker)");
        }
        return config;
    }

    /**
     * A loader that stopped by itself (fenced out of its group by a second process with its
     * {@code group.instance.id}, say) loads nothing more, while the process would go on answering as if it did:
     * the process exits instead, status 1, for its supervisor to start it again. Nothing acknowledged is lost:
     * the events wait in Kafka. The exit runs on a thread of its own: the shutdown hooks wait for the loader's.
     */
    static void exitWhenALoaderFails(Loaders loaders, String what) {
        loaders.onFailure(reason -> new Thread(() -> {
            System.err.println("footfall: the loader stopped (" + reason + "); stopping the " + what
                    + " (exit status 1) for a supervisor to start it again: what it did not load waits in Kafka");
            System.exit(1);
        }, "footfall-loader-failed").start());
    }

    @Command(name = "collector", mixinStandardHelpOptions = true,
            description = "Run the HTTP collector alone against an external Kafka cluster.")
    public static final class Collector implements Callable<Integer> {
        private final UnaryOperator<EventSink> sinkDecorator;

        @Mixin
        ConfigOptions options;

        public Collector() {
            this(UnaryOperator.identity());
        }

        /** For reliability tests only: runs the collector with a wrapped (fault-injecting) sink. */
        public Collector(UnaryOperator<EventSink> sinkDecorator) {
            this.sinkDecorator = sinkDecorator;
        }

        @Override
        public Integer call() throws Exception {
            FootfallConfig config = external(options);
            LocalPorts.requireFree("collector.port", config.collector().host(), config.collector().port());
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Roles.bindProcessMetrics(registry);
            return Lifecycle.run("collector", life -> {
                // Opened first: a certificate that cannot be used stops the start before the cluster is contacted.
                ServerTls tls = ServerTls.of(config.collector());
                if (tls != null) {
                    life.push(tls);
                }
                Topics.ensure(config.kafka(), config.kafka().startTimeout(), life::stopping);
                life.check();
                Roles.Collector collector = Roles.collector(config, registry, sinkDecorator, tls);
                life.push(collector);
                life.ready("footfall: collector ready at " + collector.url(config.collector().host()));
            });
        }
    }

    @Command(name = "enricher", mixinStandardHelpOptions = true,
            description = "Run the enricher (Kafka Streams) alone; instances with the same application id share partitions.")
    public static final class Enricher implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() throws Exception {
            FootfallConfig config = external(options);
            return Lifecycle.run("enricher", life -> {
                Topics.checkPort(config.kafka()); // Kafka Streams' admin client connects as soon as it is built
                EnricherApp app = Roles.newEnricher(config);
                life.push(app);
                // The admin port first, so that a supervisor can probe (live, not yet ready) while Kafka is awaited.
                EnricherAdmin admin = EnricherAdmin.start(config.enricher().adminHost(), config.enricher().adminPort(), app, config.kafka());
                life.push(admin);
                System.out.println("footfall: enricher admin at http://" + config.enricher().adminHost() + ":" + admin.port()
                        + "/ (/health/live, /health/ready, /metrics)");
                Topics.ensure(config.kafka(), config.kafka().startTimeout(), life::stopping);
                life.check();
                Roles.start(app, life::stopping);
                life.ready("footfall: enricher ready (application id " + config.enricher().applicationId() + ")");
            });
        }
    }

    @Command(name = "server", mixinStandardHelpOptions = true,
            description = "Run the query server (stats API, dashboard, live view) alone on PostgreSQL; any number can serve one warehouse.")
    public static final class Server implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() throws Exception {
            FootfallConfig config = external(options);
            if (!config.loader().warehouse().equals("postgres")) {
                throw new ConfigException("loader.warehouse: footfall server reads PostgreSQL (loader.warehouse=postgres,"
                        + " loader.jdbcUrl=...); a DuckDB file takes one process, whose loader serves the queries");
            }
            LocalPorts.requireFree("query.port", config.query().host(), config.query().port());
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Roles.bindProcessMetrics(registry);
            return Lifecycle.run("query server", life -> {
                PostgresWarehouse warehouse = Roles.postgres(config);
                life.push(warehouse);
                requireMigrated(warehouse, config, life);
                // The live view and the pipeline panel read the topics: an unreachable cluster fails the start.
                Topics.ensure(config.kafka(), config.kafka().startTimeout(), life::stopping);
                life.check();
                Roles.Query query = Roles.query(config, warehouse, registry, Set.of());
                life.push(query);
                life.ready("footfall: query server ready at http://" + config.query().host() + ":" + query.port()
                        + " (PostgreSQL schema " + config.loader().schema() + ")");
                System.out.println("footfall: " + Roles.sqlTokenLine(query.sqlToken()));
            });
        }

        /**
         * The server only reads: the loaders create and migrate the schema. A server started with them (a new
         * deployment, an upgrade) waits for it as long as it waits for the cluster ({@code kafka.startTimeout}),
         * saying so, then gives up with what to do.
         */
        private static void requireMigrated(PostgresWarehouse warehouse, FootfallConfig config, Lifecycle life)
                throws SQLException, InterruptedException {
            Duration timeout = config.kafka().startTimeout();
            long deadline = System.nanoTime() + timeout.toNanos();
            long nextSay = 0;
            while (true) {
                int version = schemaVersion(warehouse);
                if (version >= Migrations.latestVersion()) {
                    return;
                }
                long now = System.nanoTime();
                String where = "PostgreSQL schema " + config.loader().schema() + " is at version " + version
                        + ", this footfall reads version " + Migrations.latestVersion();
                if (now > deadline) {
                    throw new IllegalStateException(where + ": start a loader on it first (loaders create and migrate"
                            + " the schema; waited " + timeout.toSeconds() + " s, kafka.startTimeout)");
                }
                if (now >= nextSay) {
                    System.out.println("footfall: " + where + "; waiting for a loader to migrate it");
                    nextSay = now + TimeUnit.SECONDS.toNanos(10);
                }
                Thread.sleep(1_000);
                life.check();
            }
        }

        private static int schemaVersion(PostgresWarehouse warehouse) throws SQLException {
            try {
                return warehouse.schemaVersion();
            } catch (SQLException e) {
                if ("42P01".equals(e.getSQLState())) { // undefined_table: no loader has started on it yet
                    return 0;
                }
                throw e;
            }
        }
    }

    @Command(name = "loader", mixinStandardHelpOptions = true,
            description = "Run the warehouse loader alone, with the query server in the same process (DuckDB allows one writer process).")
    public static final class Loader implements Callable<Integer> {
        private final UnaryOperator<WarehouseWriter> writerDecorator;

        @Mixin
        ConfigOptions options;

        public Loader() {
            this(UnaryOperator.identity());
        }

        /** For reliability tests only: runs the loader with a wrapped (fault-injecting) warehouse writer. */
        public Loader(UnaryOperator<WarehouseWriter> writerDecorator) {
            this.writerDecorator = writerDecorator;
        }

        @Override
        public Integer call() throws Exception {
            FootfallConfig config = external(options);
            // Before the loaders join their group: a port found taken afterwards would cost the others two rebalances.
            LocalPorts.requireFree("query.port", config.query().host(), config.query().port());
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Roles.bindProcessMetrics(registry);
            return Lifecycle.run("loader", life -> {
                // Like the other roles: an unreachable cluster fails the start, rather than a loader that says ready
                // and waits in silence.
                Topics.ensure(config.kafka(), config.kafka().startTimeout(), life::stopping);
                Roles.Query query = startLoader(config, registry, writerDecorator, life);
                life.push(query);
                life.ready("footfall: loader ready, query server at http://" + config.query().host() + ":" + query.port());
                System.out.println("footfall: " + Roles.sqlTokenLine(query.sqlToken()));
            });
        }

        /** The configured warehouse (DuckDB or PostgreSQL), the loader writing to it and the query server reading it. */
        private static <W extends Warehouse & WarehouseWriter> Roles.Query startLoader(FootfallConfig config,
                PrometheusMeterRegistry registry, UnaryOperator<WarehouseWriter> writerDecorator, Lifecycle life) {
            W warehouse = Roles.warehouse(config);
            life.push(warehouse);
            life.check();
            Loaders loaders = Roles.loader(config, writerDecorator.apply(warehouse), registry);
            life.push(loaders);
            exitWhenALoaderFails(loaders, "loader");
            life.check();
            // Loaders of one PostgreSQL warehouse are many: the rate of them all, from the stored offsets, is the
            // same whichever process answers. A DuckDB loader is the only one.
            return Roles.query(config, warehouse, registry, config.loader().warehouse().equals("postgres")
                    ? Set.of() : Set.of(LivePipelineProbe.Local.LOADER));
        }
    }
}
