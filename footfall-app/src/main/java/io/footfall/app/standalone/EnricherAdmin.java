package io.footfall.app.standalone;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.footfall.collector.produce.BrokerProbe;
import io.footfall.core.config.ConfigException;
import io.footfall.core.config.KafkaConfig;
import io.footfall.enricher.EnricherApp;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The HTTP port of a lone enricher ({@code footfall enricher}), for supervisors and scrapers: {@code GET
 * /health/live} (200 while the process runs), {@code GET /health/ready} (200 while Kafka Streams is
 * {@code RUNNING} and the brokers answer, else 503 with the state: rebalancing, restoring, failed, or
 * {@code KAFKA_UNREACHABLE}, when Streams stays {@code RUNNING} but cannot commit) and {@code GET /metrics}
 * (Prometheus: the Streams, consumer and producer metrics, records lag among them, and the JVM's). In the
 * standalone the collector's readiness and the query server's pipeline panel cover the enricher instead.
 */
public final class EnricherAdmin implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final KafkaStreamsMetrics streamsMetrics;
    private final Admin kafkaAdmin;
    /** Whether the brokers answered the last probe (every second; each waits up to PROBE_TIMEOUT_MS). */
    private final BrokerProbe probe;

    static final int PROBE_TIMEOUT_MS = 2_000;

    private EnricherAdmin(HttpServer server, ExecutorService executor, PrometheusMeterRegistry registry,
                          KafkaStreamsMetrics streamsMetrics, KafkaConfig kafka) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
        this.streamsMetrics = streamsMetrics;
        Map<String, Object> p = new HashMap<>(kafka.clientProperties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "footfall-enricher-probe");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, PROBE_TIMEOUT_MS);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, PROBE_TIMEOUT_MS);
        this.kafkaAdmin = Admin.create(p);
        this.probe = new BrokerProbe(kafkaAdmin, Duration.ofMillis(PROBE_TIMEOUT_MS), "enricher", () -> { });
    }

    /**
     * The stream threads' main consumers' {@code records-lag} of each partition of {@code footfall.raw}, summed: one
     * number for an alert, where the consumer's own lag metrics give a series per partition, twice (its topic tag
     * both as it is and with '_'), and NaN for a partition not fetched yet, which turns a PromQL sum into NaN.
     */
    static double inputLag(Map<MetricName, ? extends Metric> metrics) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> m : metrics.entrySet()) {
            if (isInputLag(m.getKey()) && m.getValue().metricValue() instanceof Double lag && Double.isFinite(lag)) {
                sum += lag;
            }
        }
        return sum;
    }

    /** Whether a metric is a stream thread's main consumer's lag on one partition of {@code footfall.raw}. */
    public static boolean isInputLag(MetricName name) {
        String client = name.tags().getOrDefault("client-id", "");
        return name.name().equals("records-lag") && name.group().equals("consumer-fetch-manager-metrics")
                && KafkaConfig.RAW_TOPIC.equals(name.tags().get("topic")) && name.tags().containsKey("partition")
                && client.endsWith("-consumer") && !client.endsWith("-restore-consumer");
    }

    /**
     * Streams runs and processes, and the brokers answer: Kafka Streams stays {@code RUNNING} while they are away (its
     * threads retry), so readiness also asks them, as the collector's does.
     */
    private boolean ready(EnricherApp app) {
        return app.ready() && probe.reachable();
    }

    /**
     * @throws IllegalStateException naming {@code enricher.adminPort} when the address is taken
     */
    public static EnricherAdmin start(String host, int port, EnricherApp app, KafkaConfig kafka) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (BindException e) {
            // Like every role's taken port: a start-up failure (exit 1), not a bad setting.
            throw io.footfall.app.broker.LocalPorts.taken("enricher.adminPort", host, port, e);
        } catch (IOException e) {
            throw new ConfigException("enricher.adminHost: cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Roles.bindProcessMetrics(registry);
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(app.streams());
        streamsMetrics.bindTo(registry);
        // One thread: probes and scrapes are rare, and none of them may take the stream threads' cores.
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "enricher-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        EnricherAdmin admin = new EnricherAdmin(server, executor, registry, streamsMetrics, kafka);
        Gauge.builder("footfall.enricher.running", app, a -> admin.ready(a) ? 1 : 0)
                .description("1 while Kafka Streams is RUNNING and processing (its user-agent parser built) and the brokers"
                        + " answer, else 0").register(registry);
        Gauge.builder("footfall.enricher.lag", app, a -> inputLag(a.streams().metrics())).baseUnit("records")
                .description("records of footfall.raw the stream threads have yet to read, summed over the partitions they"
                        + " fetched from (what Kafka's per-partition records-lag says, NaN-free)").register(registry);
        bindExpiredRecords(registry, app);
        admin.probe.start();
        server.createContext("/", exchange -> admin.answer(exchange, app));
        server.start();
        return admin;
    }

    /**
     * {@code footfall_enricher_records_expired_total}: records of {@code footfall.raw} gone before the enricher read
     * them, on a lone enricher's registry and on a standalone's.
     */
    public static void bindExpiredRecords(MeterRegistry registry, EnricherApp app) {
        FunctionCounter.builder("footfall.enricher.records.expired", app.resources().expiredRecords(), LongAdder::sum)
                .description("records of footfall.raw deleted by its retention (or skipped by an offset reset) before the"
                        + " enricher read them, since the process started; each gap is also a footfall.bad record")
                .register(registry);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange, EnricherApp app) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            boolean known = path.equals("/health/live") || path.equals("/health/ready") || path.equals("/metrics");
            String method = exchange.getRequestMethod();
            if (!known) {
                send(exchange, 404, "application/json", "{\"error\":\"not_found\",\"detail\":\"no such resource\"}");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "application/json", "{\"error\":\"method_not_allowed\",\"detail\":\"use GET\"}");
            } else if (path.equals("/metrics")) {
                send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
            } else if (path.equals("/health/live")) {
                send(exchange, 200, "application/json", "{\"status\":\"live\"}");
            } else {
                KafkaStreams.State state = app.state();
                boolean ready = ready(app);
                // Paused: the user-agent parser is still being built. Streams then stays REBALANCING (its tasks wait
                // to run), which would send an operator looking for a stuck group.
                String why = state.isRunningOrRebalancing() && app.streams().isPaused() ? "WAITING_FOR_PARSER"
                        : state != KafkaStreams.State.RUNNING ? state.toString() : "KAFKA_UNREACHABLE";
                send(exchange, ready ? 200 : 503, "application/json", ready ? "{\"status\":\"ready\"}"
                        : "{\"status\":\"not_ready\",\"state\":\"" + why + "\"}");
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        probe.close();
        kafkaAdmin.close(Duration.ZERO);
        server.stop(0);
        executor.shutdownNow();
        streamsMetrics.close();
        registry.close();
    }
}
