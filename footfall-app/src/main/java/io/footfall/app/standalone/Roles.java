package io.footfall.app.standalone;

import io.footfall.collector.CollectorServer;
import io.footfall.collector.http.ServerTls;
import io.footfall.collector.produce.EventSink;
import io.footfall.collector.produce.KafkaEventSink;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.Settings;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.enricher.EnricherApp;
import io.footfall.loader.consume.Loaders;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.footfall.loader.warehouse.PostgresWarehouse;
import io.footfall.loader.warehouse.WarehouseWriter;
import io.footfall.app.pipeline.LivePipelineProbe;
import io.footfall.query.QueryServer;
import io.footfall.query.sql.ApiToken;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/** Starts each role of the pipeline; shared by {@code standalone} and the single-role commands. */
public final class Roles {

    private Roles() {
    }

    /** JVM and process meters (heap, GC, CPU, threads) on a role's registry, for /metrics and bench. */
    public static void bindProcessMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(registry);
    }

    /** A started collector; closing it drains and flushes. */
    public record Collector(CollectorServer server, int port) implements AutoCloseable {
        /** Where events go: {@code http(s)://host:port/v1/events}. */
        public String url(String host) {
            return server.scheme() + "://" + host + ":" + port + "/v1/events";
        }

        @Override
        public void close() {
            server.close();
        }
    }

    public static Collector collector(FootfallConfig config, PrometheusMeterRegistry registry) {
        return collector(config, registry, UnaryOperator.identity(), ServerTls.of(config.collector()));
    }

    /**
     * @param sinkDecorator wraps the collector's Kafka sink; identity in the product. Reliability tests pass
     *                      a deliberately faulty sink to prove their harness detects loss.
     */
    public static Collector collector(FootfallConfig config, PrometheusMeterRegistry registry,
                                      UnaryOperator<EventSink> sinkDecorator) {
        return collector(config, registry, sinkDecorator, ServerTls.of(config.collector()));
    }

    /**
     * @param tls the collector's HTTPS context, opened by the host before anything else starts ({@link ServerTls#of});
     *            null for plain HTTP. Closed with the collector, or here when the collector cannot start.
     */
    public static Collector collector(FootfallConfig config, PrometheusMeterRegistry registry,
                                      UnaryOperator<EventSink> sinkDecorator, ServerTls tls) {
        KafkaEventSink sink = new KafkaEventSink(config.kafka(), config.collector());
        try {
            sink.start(KafkaConfig.RAW_TOPIC, config.kafka().startTimeout());
        } catch (RuntimeException e) {
            sink.close();
            if (tls != null) {
                tls.close();
            }
            throw e;
        }
        try {
            CollectorServer server = new CollectorServer(config.collector(), sinkDecorator.apply(sink), registry,
                    registry::scrape, tls);
            return new Collector(server, server.start());
        } catch (RuntimeException e) {
            sink.close();
            throw e;
        }
    }

    private static final Duration ENRICHER_START_TIMEOUT = Duration.ofMinutes(3);

    public static EnricherApp enricher(FootfallConfig config) {
        return start(newEnricher(config));
    }

    /** As {@link #enricher(FootfallConfig)}; gives up (closed, {@link StartStopped}) once {@code stop} says so. */
    public static EnricherApp enricher(FootfallConfig config, BooleanSupplier stop) {
        return start(newEnricher(config), stop);
    }

    /** The enricher, not started yet (a lone enricher opens its admin port first, to be probed while it starts). */
    public static EnricherApp newEnricher(FootfallConfig config) {
        return new EnricherApp(config.kafka(), config.enricher(), config.dataDir().resolve("streams"));
    }

    /** Starts {@code app} and waits until it runs; closes it when it cannot. */
    public static EnricherApp start(EnricherApp app) {
        return start(app, () -> false);
    }

    /**
     * As {@link #start(EnricherApp)}; gives up the wait once {@code stop} says so (SIGTERM during start-up), closing
     * {@code app} and throwing {@link StartStopped}.
     */
    public static EnricherApp start(EnricherApp app, BooleanSupplier stop) {
        try {
            // After a crash a restart rebuilds the state stores and waits out the dead member's session: minutes
            // on a loaded machine are slow but not broken, so only a much longer wait fails the start.
            app.start(ENRICHER_START_TIMEOUT, stop);
            StartStopped.check(stop);
            return app;
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
    }

    /** Opens the configured warehouse for writing (and reading, in the same process). */
    public static <W extends Warehouse & WarehouseWriter> W warehouse(FootfallConfig config) {
        if (config.loader().warehouse().equals("postgres")) {
            @SuppressWarnings("unchecked")
            W postgres = (W) postgres(config);
            return postgres;
        }
        @SuppressWarnings("unchecked")
        W warehouse = (W) DuckDbWarehouse.open(config.loader().duckdbPath(), config.loader().duckdbCheckpointBytes(),
                config.loader().duckdbMemoryBytes());
        return warehouse;
    }

    /**
     * Opens the configured PostgreSQL warehouse and reaches it once, so that every command that needs it (loader,
     * server, replay, promote) says which database it could not reach and which setting names it, rather than
     * the driver's bare "Connection refused".
     */
    public static PostgresWarehouse postgres(FootfallConfig config) {
        refusedOutright(config);
        PostgresWarehouse warehouse = PostgresWarehouse.open(config.loader());
        try (java.sql.Connection c = warehouse.readConnection()) {
            return warehouse;
        } catch (SQLException e) {
            warehouse.close();
            throw new IllegalStateException("PostgreSQL at " + Settings.maskUrlSecrets(config.loader().jdbcUrl())
                    + " (loader.jdbcUrl) cannot be reached: " + warehouseReason(e));
        }
    }

    /**
     * One connection before the pool: a server that answers but refuses footfall (no such database, a wrong user or
     * password) is said at once, as a refusal naming the setting, rather than after the pool's seconds of retrying as
     * a server that "cannot be reached". Anything else (refused, unreachable) is left to the pool's wait.
     */
    private static void refusedOutright(FootfallConfig config) {
        java.util.Properties p = new java.util.Properties();
        if (!config.loader().user().isEmpty()) {
            p.setProperty("user", config.loader().user());
        }
        if (!config.loader().password().isEmpty()) {
            p.setProperty("password", config.loader().password());
        }
        // Each wait bounded: a server that takes the connection and then says nothing must not hold the start.
        p.setProperty("connectTimeout", "5");
        p.setProperty("loginTimeout", "5");
        p.setProperty("socketTimeout", "5");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.loader().jdbcUrl(), p)) {
            return;
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String setting = state.startsWith("3D") ? "loader.jdbcUrl names the database"
                    : state.startsWith("28") ? "loader.user, loader.password" : null;
            if (setting != null) {
                throw new IllegalStateException("PostgreSQL at " + Settings.maskUrlSecrets(config.loader().jdbcUrl())
                        + " refused footfall: " + e.getMessage() + " (" + setting + ")");
            }
        }
    }

    /** The line that tells the operator where the SQL API token is, showing the token itself only once. */
    public static String sqlTokenLine(ApiToken token) {
        return token.created()
                ? "SQL API token (shown once, kept in " + token.file() + "): " + token.value()
                : "SQL API token in " + token.file();
    }

    /**
     * What a warehouse failure says to a user: the connection pool's "Connection is not available, request timed
     * out" hides the driver's reason (connection refused, no such database, authentication), which it keeps as
     * the cause; the innermost message is that reason.
     */
    public static String warehouseReason(Throwable e) {
        Throwable reason = e;
        while (reason.getCause() != null && reason.getCause() != reason) {
            reason = reason.getCause();
        }
        String message = reason.getMessage() == null ? reason.getClass().getSimpleName() : reason.getMessage();
        return reason == e ? message : message + " (" + e.getMessage() + ")";
    }

    /** The process's loaders ({@code loader.writers} of them), started on a migrated schema. */
    public static Loaders loader(FootfallConfig config, WarehouseWriter writer, PrometheusMeterRegistry registry) {
        Loaders loader = new Loaders(config.kafka(), config.loader(), writer, registry);
        try {
            loader.start();
            return loader;
        } catch (SQLException e) {
            // start() has closed the loaders. Name the warehouse: the driver's reason alone ("Connection refused")
            // does not say which setting to look at.
            if (config.loader().warehouse().equals("postgres")) {
                throw new IllegalStateException("PostgreSQL at " + Settings.maskUrlSecrets(config.loader().jdbcUrl())
                        + " (loader.jdbcUrl) cannot be reached or its schema migrated: " + warehouseReason(e));
            }
            throw new IllegalStateException("warehouse schema cannot be migrated: " + warehouseReason(e));
        }
    }

    /** Where {@code POST /api/backup} writes its copies, under {@code dataDir}. */
    public static final String BACKUP_DIR = "backups";

    /** A started query server, its port and the SQL API token (printed only on the start that made it). */
    public record Query(QueryServer server, int port, ApiToken sqlToken) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }

    /** The query server on {@code warehouse}; {@code local}: the roles that run in this process beside it. */
    public static Query query(FootfallConfig config, Warehouse warehouse, PrometheusMeterRegistry registry,
                              Set<LivePipelineProbe.Local> local) {
        ApiToken token = ApiToken.loadOrCreate(config.dataDir());
        QueryServer server = new QueryServer(config.query(), warehouse, registry::scrape).withSqlToken(token)
                // Not the SQL token, which analysts get: a backup writes to the operator's disk.
                .withBackups(ApiToken.loadOrCreate(config.dataDir(), ApiToken.ADMIN_FILE_NAME), config.dataDir().resolve(BACKUP_DIR))
                .withTap(config.kafka())
                .withPipeline(new LivePipelineProbe(config, registry, local, warehouse, java.time.Clock.systemUTC()));
        return new Query(server, server.start(), token);
    }
}
