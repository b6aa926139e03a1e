package io.footfall.app.standalone;

import io.footfall.app.broker.BrokerAddressFile;
import io.footfall.app.broker.EmbeddedKafka;
import io.footfall.app.broker.LocalPorts;
import io.footfall.app.broker.Topics;
import io.footfall.app.pipeline.LivePipelineProbe;
import io.footfall.collector.http.ServerTls;
import io.footfall.core.config.FootfallConfig;
import io.footfall.enricher.EnricherApp;
import io.footfall.loader.consume.Loaders;
import io.footfall.core.warehouse.Warehouse;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import io.footfall.loader.warehouse.WarehouseWriter;

/**
 * Every role of the pipeline in one JVM: embedded broker → collector → enricher → loader → query server.
 * Started in that order, each printing one line when ready; closed in reverse after the collector has
 * drained, so every event that got a 202 is in the broker before anything else stops.
 */
public final class Standalone implements AutoCloseable {

    /** The group.instance.id of the loader's and the enricher's consumers: one of each per standalone. */
    private static final String STATIC_MEMBER_ID = "footfall-standalone";
    /** The loaders, once started: the command watches them ({@link Loaders#onFailure}). */
    private volatile Loaders loaders;

    private final FootfallConfig config;
    private final PrintStream out;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private int collectorPort;
    private int queryPort;
    private String bootstrapServers;
    private Warehouse warehouse;
    private WarehouseWriter writer;

    private final UnaryOperator<WarehouseWriter> writerDecorator;

    public Standalone(FootfallConfig config, PrintStream out) {
        this(config, out, UnaryOperator.identity());
    }

    /**
     * @param writerDecorator wraps the loader's warehouse writer; identity in the product. Reliability tests
     *                        pass a deliberately faulty writer to prove their harness detects loss.
     */
    public Standalone(FootfallConfig config, PrintStream out, UnaryOperator<WarehouseWriter> writerDecorator) {
        this.config = config;
        this.out = out;
        this.writerDecorator = writerDecorator;
        Roles.bindProcessMetrics(registry);
    }

    /**
     * Starts everything. On failure, stops what had started and rethrows.
     *
     * @throws IllegalStateException with a one-line reason
     */
    public Standalone start() {
        return start(() -> false);
    }

    /**
     * As {@link #start()}, giving up once {@code stop} says so (SIGTERM or Ctrl-C during start-up): after the step
     * under way, or during the enricher's wait, what had started is stopped and {@link StartStopped} thrown.
     */
    public Standalone start(BooleanSupplier stop) {
        long t0 = System.nanoTime();
        try {
            Path dataDir = prepareDataDir(config.dataDir());
            // A taken port is refused now, not after the broker, the warehouse and the enricher have started.
            LocalPorts.requireFree("collector.port", config.collector().host(), config.collector().port());
            LocalPorts.requireFree("query.port", config.query().host(), config.query().port());
            // Opened now: a certificate that cannot be used stops the start before anything else runs.
            ServerTls tls = ServerTls.of(config.collector());
            if (tls != null) {
                started.push(tls);
            }
            EmbeddedKafka broker = EmbeddedKafka.start(dataDir.resolve("kafka"), config.kafka().embeddedPort(), config.kafka());
            started.push(broker);
            bootstrapServers = broker.bootstrapServers();
            BrokerAddressFile.write(dataDir, bootstrapServers);
            started.push(() -> BrokerAddressFile.delete(dataDir));
            FootfallConfig wired = config.withKafka(config.kafka().withBootstrapServers(bootstrapServers));
            int partitions = Topics.ensure(wired.kafka(), wired.kafka().startTimeout(), stop);
            line(t0, "broker ready at " + bootstrapServers + " (KRaft, data " + dataDir.resolve("kafka") + ", "
                    + partitions + " partitions)");
            StartStopped.check(stop);

            openWarehouse(wired);
            started.push(warehouse);
            Loaders loader = Roles.loader(staticMember(wired, "group.instance.id"), writerDecorator.apply(writer),
                    registry);
            started.push(loader);
            loaders = loader;
            line(t0, "loader ready, writing to " + (wired.loader().warehouse().equals("duckdb")
                    ? wired.loader().duckdbPath().toString()
                    : wired.loader().jdbcUrl() + " (schema " + wired.loader().schema() + ", " + loader.size() + " writers)"));
            StartStopped.check(stop);

            EnricherApp enricher = Roles.enricher(staticMember(wired, "main.consumer.group.instance.id"), stop);
            started.push(enricher);
            EnricherAdmin.bindExpiredRecords(registry, enricher);
            line(t0, "enricher ready (Kafka Streams, exactly_once_v2)");
            StartStopped.check(stop);

            Roles.Query query = Roles.query(wired, warehouse, registry, EnumSet.allOf(LivePipelineProbe.Local.class));
            started.push(query);
            queryPort = query.port();
            line(t0, "query server ready at http://" + wired.query().host() + ":" + queryPort + "/");
            line(t0, Roles.sqlTokenLine(query.sqlToken()));
            StartStopped.check(stop);

            Roles.Collector collector = Roles.collector(wired, registry, java.util.function.UnaryOperator.identity(), tls);
            started.push(collector);
            collectorPort = collector.port();
            line(t0, "collector ready at " + collector.url(wired.collector().host()));
            StartStopped.check(stop); // a stop during the collector's start: not "ready" before the stop lines
            line(t0, "standalone ready");
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The started loaders (null before {@link #start} has started them). */
    public Loaders loaders() {
        return loaders;
    }

    /**
     * The loader and the enricher of a standalone are the only members of their groups and the same ones on
     * every start: as static members, a restart after a crash takes their partitions over at once instead of
     * waiting for the dead process's session to expire (10 s).
     */
    private static FootfallConfig staticMember(FootfallConfig config, String property) {
        return config.withKafka(config.kafka().withClientProperty(property, STATIC_MEMBER_ID));
    }

    private static Path prepareDataDir(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new IllegalStateException("data directory " + dataDir + " cannot be created: " + e.getMessage());
        }
        if (!Files.isDirectory(dataDir) || !Files.isWritable(dataDir)) {
            throw new IllegalStateException("data directory " + dataDir + " is not a writable directory");
        }
        return dataDir;
    }

    private void line(long t0, String message) {
        out.printf(Locale.ROOT, "footfall: %s  [%.1f s]%n", message, (System.nanoTime() - t0) / 1e9);
        out.flush();
    }

    public int collectorPort() {
        return collectorPort;
    }

    public int queryPort() {
        return queryPort;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    private <W extends Warehouse & WarehouseWriter> void openWarehouse(FootfallConfig wired) {
        W opened = Roles.warehouse(wired);
        warehouse = opened;
        writer = opened;
    }

    public Warehouse warehouse() {
        return warehouse;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Stops in order: the collector first (readiness 503, drain, flush), then the query server, enricher,
     * loader (which commits its open batch), the warehouse and the broker.
     */
    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable component = started.pop();
            try {
                component.close();
            } catch (Exception e) {
                out.println("footfall: error while stopping " + component.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
