package io.footfall.app.standalone;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.footfall.core.config.ConfigException;
import io.footfall.enricher.EnricherApp;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The HTTP port of a lone enricher ({@code footfall enricher}), for supervisors and scrapers: {@code GET
 * /health/live} (200 while the process runs), {@code GET /health/ready} (200 while Kafka Streams is
 * {@code RUNNING}, else 503 with its state: rebalancing, restoring, or failed) and {@code GET /metrics}
 * (Prometheus: the Streams, consumer and producer metrics, records lag among them, and the JVM's). In the
 * standalone the collector's readiness and the query server's pipeline panel cover the enricher instead.
 */
public final class EnricherAdmin implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final KafkaStreamsMetrics streamsMetrics;

    private EnricherAdmin(HttpServer server, ExecutorService executor, PrometheusMeterRegistry registry,
                          KafkaStreamsMetrics streamsMetrics) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
        this.streamsMetrics = streamsMetrics;
    }

    /**
     * @throws IllegalStateException naming {@code enricher.adminPort} when the address is taken
     */
    public static EnricherAdmin start(String host, int port, EnricherApp app) {
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
        Gauge.builder("footfall.enricher.running", app, a -> a.ready() ? 1 : 0)
                .description("1 while Kafka Streams is RUNNING and processing (its user-agent parser built), else 0").register(registry);
        // One thread: probes and scrapes are rare, and none of them may take the stream threads' cores.
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "enricher-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        EnricherAdmin admin = new EnricherAdmin(server, executor, registry, streamsMetrics);
        server.createContext("/", exchange -> admin.answer(exchange, app));
        server.start();
        return admin;
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
                boolean ready = app.ready();
                // RUNNING but paused: the user-agent parser is still being built.
                send(exchange, ready ? 200 : 503, "application/json", ready ? "{\"status\":\"ready\"}"
                        : "{\"status\":\"not_ready\",\"state\":\"" + (state == KafkaStreams.State.RUNNING ? "WAITING_FOR_PARSER" : state) + "\"}");
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
        server.stop(0);
        executor.shutdownNow();
        streamsMetrics.close();
        registry.close();
    }
}
