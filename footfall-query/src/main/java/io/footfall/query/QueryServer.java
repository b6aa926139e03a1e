package io.footfall.query;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.footfall.core.config.QueryConfig;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.query.http.BadParameterException;
import io.footfall.query.http.Exchanges;
import io.footfall.query.sql.ApiToken;
import io.footfall.query.sql.SqlApi;
import io.footfall.query.sql.SqlRunner;
import io.footfall.query.tap.TapApi;
import io.footfall.query.dashboard.DashboardAssets;
import io.footfall.query.pipeline.PipelineApi;
import io.footfall.query.pipeline.PipelineProbe;
import io.footfall.query.stats.Funnel;
import io.footfall.query.stats.StatsApi;
import io.footfall.query.stats.StatsQueries;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin-port server: stats API, health and metrics. Queries run JDBC, so this is a small bounded
 * thread pool (the JDK server), not an event loop; when the pool and its queue are full a request is
 * answered 503 at once.
 */
public final class QueryServer implements AutoCloseable {

    static {
        // The JDK server writes a response's headers and body separately; with Nagle's algorithm on, the body
        // waits for the client's (delayed, up to 40 ms) ACK of the headers on every keep-alive request after
        // the first few, which doubled the time of a 50 ms stats call in a browser. Read once, when the JDK
        // server's configuration class loads: before the first HttpServer of the process is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
    /** Two cores: four query threads keep both busy while one waits on I/O; 64 queued requests is ~1 s. */
    private static final int THREADS = 4;
    private static final int QUEUE = 64;

    private final QueryConfig config;
    private final StatsQueries stats;
    private final StatsApi statsApi;
    private final Clock clock;
    private final Supplier<String> metricsText;
    private final Warehouse warehouse;
    private final ThreadPoolExecutor executor;
    private HttpServer server;
    private SqlApi sqlApi;
    private io.footfall.query.backup.BackupApi backupApi;
    private SqlRunner sqlRunner;
    private TapApi tapApi;
    private PipelineApi pipelineApi;
    private PipelineProbe pipelineProbe;
    private final DashboardAssets dashboard = new DashboardAssets();

    public QueryServer(QueryConfig config, Warehouse warehouse, Supplier<String> metricsText) {
        this(config, warehouse, metricsText, Clock.systemUTC());
    }

    public QueryServer(QueryConfig config, Warehouse warehouse, Supplier<String> metricsText, Clock clock) {
        this.config = config;
        this.warehouse = warehouse;
        this.clock = clock;
        this.stats = new StatsQueries(warehouse, clock, config.exactVisitorsUpTo(), config.summaryCacheMb());
        this.statsApi = new StatsApi(stats, new Funnel(warehouse));
        this.metricsText = metricsText;
        this.executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    // DuckDB binds nested correlated subqueries recursively on the calling thread: at 1 MB a
                    // 1.4-KB statement of 140 levels overflowed the native stack and killed the JVM (the SQL API caps
                    // nesting at 64 as well; this is the margin under it).
                    Thread t = new Thread(null, r, "footfall-query", 32L << 20);
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Enables {@code POST /api/sql} with this bearer token (without one the endpoint answers 404). Call before
     * {@link #start()}. With DuckDB this disables external access and locks the configuration of the embedded
     * database instance at start (see {@link SqlRunner}).
     */
    public QueryServer withSqlToken(ApiToken token) {
        this.sqlRunner = new SqlRunner(warehouse, config.sqlTimeout(), config.sqlMaxRows(), config.sqlRole(), config.sqlUser(),
                config.sqlPassword());
        this.sqlApi = new SqlApi(token, sqlRunner);
        return this;
    }

    /**
     * Enables {@code POST /api/backup} with this bearer token: copies of the warehouse go to {@code dir} (DuckDB; on
     * PostgreSQL the endpoint says what to use instead). Call before {@link #start()}.
     */
    public QueryServer withBackups(ApiToken token, java.nio.file.Path dir) {
        this.backupApi = new io.footfall.query.backup.BackupApi(token, warehouse, dir, clock);
        return this;
    }

    /** Enables the live tap ({@code GET /api/tap}) on this Kafka cluster. Call before {@link #start()}. */
    public QueryServer withTap(io.footfall.core.config.KafkaConfig kafka) {
        this.tapApi = new TapApi(kafka, config.tapMaxClients(), clock);
        return this;
    }

    /** Enables {@code GET /api/pipeline} (the dashboard's pipeline panel). Call before {@link #start()}. */
    public QueryServer withPipeline(PipelineProbe probe) {
        this.pipelineApi = new PipelineApi(probe);
        this.pipelineProbe = probe;
        return this;
    }

    /** Live-tap streams currently open. */
    public int tapStreams() {
        return tapApi == null ? 0 : tapApi.openStreams();
    }

    /** @return the bound port */
    public int start() {
        if (sqlRunner != null) {
            if (backupApi != null) {
                sqlRunner.allowDirectory(backupApi.stagingDir());
            }
            sqlRunner.checkRole();
            sqlRunner.checkLogin();
            try {
                sqlRunner.lockDown();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("the warehouse cannot be locked down for the SQL API: " + e.getMessage());
            }
        }
        try {
            server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 128);
        } catch (BindException e) {
            throw new IllegalStateException("admin port " + config.host() + ":" + config.port()
                    + " cannot be bound: already in use or not permitted");
        } catch (IOException e) {
            throw new IllegalStateException("admin port " + config.host() + ":" + config.port()
                    + " cannot be bound: " + e.getMessage());
        }
        // Handlers run on the server's dispatcher thread and only hand work to the bounded pool, so a
        // full pool is answered 503 immediately instead of queueing without bound.
        server.setExecutor(null);
        server.createContext("/", this::dispatch);
        server.start();
        warmSummaries();
        return server.getAddress().getPort();
    }

    private final java.util.concurrent.CountDownLatch summariesWarmed = new java.util.concurrent.CountDownLatch(1);

    /**
     * Waits until the background build of summaries started by {@link #start()} has finished (or failed):
     * benchmarks call it so that they time requests, not the build.
     *
     * @return false when the timeout passed first
     */
    public boolean awaitSummaries(java.time.Duration timeout) throws InterruptedException {
        return summariesWarmed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Builds the path and event-name summaries of the busiest sites in the background (see StatsQueries). */
    private void warmSummaries() {
        Thread t = new Thread(() -> {
            long started = System.nanoTime();
            try {
                int sites = stats.warmSummaries();
                if (sites > 0) {
                    LOG.info("event=summaries_warmed sites={} duration_ms={}", sites, (System.nanoTime() - started) / 1_000_000);
                }
            } catch (Exception e) {
                // Only a head start: requests build what they need themselves.
                LOG.warn("event=summaries_warm_failed error=\"{}\"", e.toString());
            } finally {
                summariesWarmed.countDown();
            }
        }, "footfall-query-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        if (exchange.getRequestURI().getPath().equals("/api/tap")) {
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                Exchanges.error(exchange, 405, "method_not_allowed", "allowed methods: GET (an event stream)");
            } else if (tapApi == null) {
                Exchanges.error(exchange, 404, "not_found", "the live tap is not enabled on this server");
            } else {
                tapApi.dispatch(exchange);
            }
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    route(exchange);
                } catch (IOException e) {
                    exchange.close();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            Exchanges.error(exchange, 503, "busy", "the query server is busy; retry shortly");
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/api/sql")) {
                if (sqlApi == null) {
                    Exchanges.error(exchange, 404, "not_found", "the SQL API is not enabled on this server");
                } else {
                    sqlApi.handle(exchange);
                }
                return;
            }
            if (path.equals("/api/backup")) {
                if (backupApi == null) {
                    Exchanges.error(exchange, 404, "not_found", "backups are not enabled on this server");
                } else {
                    backupApi.handle(exchange);
                }
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                Exchanges.error(exchange, 405, "method_not_allowed", "allowed methods: GET, HEAD");
                return;
            }
            if (statsApi.handle(path, exchange) || dashboard.handle(path, exchange)) {
                return;
            }
            switch (path) {
                case "/api/pipeline" -> {
                    try {
                        Exchanges.noParams(exchange);
                    } catch (BadParameterException e) {
                        Exchanges.error(exchange, 400, "bad_parameter", e.getMessage());
                        return;
                    }
                    if (pipelineApi == null) {
                        Exchanges.error(exchange, 404, "not_found", "the pipeline status is not available on this server");
                    } else {
                        pipelineApi.handle(exchange);
                    }
                }
                case "/health/live" -> Exchanges.json(exchange, 200, g -> {
                    g.writeStartObject();
                    g.writeStringField("status", "live");
                    g.writeEndObject();
                });
                case "/health/ready" -> ready(exchange);
                case "/metrics" -> Exchanges.send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                        metricsText.get().getBytes(StandardCharsets.UTF_8));
                default -> Exchanges.error(exchange, 404, "not_found", "no such resource: " + path);
            }
        } catch (RuntimeException e) {
            LOG.warn("event=query_failed error=\"{}\"", e.toString());
            Exchanges.error(exchange, 500, "internal_error", "the request failed; see the server log");
        }
    }

    /** How long a readiness probe waits for the warehouse's answer: under a probe's usual 1-s timeout. */
    static final long READY_WAIT_MS = 800;
    /** A warehouse answer younger than this answers the next probe too. */
    private static final long READY_REUSE_MS = 1_000;
    private final ExecutorService readinessThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "footfall-query-readiness");
        t.setDaemon(true);
        return t;
    });
    private Future<Boolean> readiness;
    private long readinessAtNanos;

    /**
     * Whether the warehouse answers, asked on a thread of its own: a PostgreSQL that does not answer (a connection
     * waits up to 5 s for the pool) makes the probe a quick 503, not a timeout. One check at a time.
     */
    private boolean warehouseReady() {
        Future<Boolean> check;
        synchronized (readinessThread) {
            // Monotonic time, not the injected clock: the stats' "now" may be fixed (tests), a check's age may not.
            long now = System.nanoTime();
            if (readiness == null || readiness.isDone() && now - readinessAtNanos > TimeUnit.MILLISECONDS.toNanos(READY_REUSE_MS)) {
                readiness = readinessThread.submit(stats::reachable);
                readinessAtNanos = now;
            }
            check = readiness;
        }
        // Outside the lock: probes that come together wait for the same check side by side, not one after another.
        try {
            return check.get(READY_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void ready(HttpExchange exchange) throws IOException {
        boolean ok = warehouseReady();
        Exchanges.json(exchange, ok ? 200 : 503, g -> {
            g.writeStartObject();
            g.writeStringField("status", ok ? "ready" : "warehouse_unavailable");
            g.writeEndObject();
        });
    }

    @Override
    public void close() {
        // Taps first: they are endless responses the server would otherwise wait for.
        if (tapApi != null) {
            tapApi.close();
        }
        if (server != null) {
            server.stop(1);
        }
        executor.shutdownNow();
        readinessThread.shutdownNow();
        if (sqlRunner != null) {
            sqlRunner.close();
        }
        if (pipelineProbe instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("event=pipeline_probe_close_failed error=\"{}\"", e.toString());
            }
        }
        LOG.info("event=query_server_stopped");
    }
}
