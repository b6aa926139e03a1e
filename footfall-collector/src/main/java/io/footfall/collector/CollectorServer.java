package io.footfall.collector;

import io.footfall.collector.client.ClientAddress;
import io.footfall.collector.decode.BodyDecoder;
import io.footfall.collector.decode.Limits;
import io.footfall.collector.http.CollectorHandler;
import io.footfall.collector.http.CollectorInitializer;
import io.footfall.collector.http.CollectorMetrics;
import io.footfall.collector.http.CollectorState;
import io.footfall.collector.http.ServerTls;
import io.footfall.collector.limit.RateLimiter;
import io.footfall.collector.produce.EventSink;
import io.footfall.collector.tracker.TrackerScript;
import io.footfall.core.config.CollectorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP collector: binds the port, and on {@link #close()} shuts down in the order of STYLE.md —
 * readiness 503, stop accepting, drain requests awaiting acks, flush the producer, close.
 */
public final class CollectorServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorServer.class);
    /** How long a kept-alive connection may still bring one last request once shutdown begins. */
    private static final Duration DRAIN_IDLE_GRACE = Duration.ofSeconds(2);

    private final CollectorConfig config;
    private final EventSink sink;
    private final CollectorState state = new CollectorState();
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final CollectorInitializer initializer;
    private final ServerTls tls;
    private Channel serverChannel;

    public CollectorServer(CollectorConfig config, EventSink sink, MeterRegistry registry, Supplier<String> metricsText) {
        this(config, sink, registry, metricsText, ServerTls.of(config));
    }

    /** @param tls the HTTPS context ({@link ServerTls#of}), or null for plain HTTP; the server closes it */
    public CollectorServer(CollectorConfig config, EventSink sink, MeterRegistry registry, Supplier<String> metricsText,
                           ServerTls tls) {
        this.config = config;
        this.sink = sink;
        CollectorMetrics metrics = new CollectorMetrics(registry);
        metrics.gauge("footfall.collector.inflight.bytes", "bytes sent to the stream and not yet acknowledged",
                sink, EventSink::inflightBytes);
        metrics.gauge("footfall.collector.inflight.requests", "requests awaiting a broker acknowledgement",
                state, CollectorState::inflightRequests);
        RateLimiter limiter = config.rateLimited()
                ? new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst(), RateLimiter.DEFAULT_MAX_KEYS,
                System::nanoTime)
                : null;
        CollectorHandler handler = new CollectorHandler(new BodyDecoder(Limits.from(config)), sink, metrics, state,
                Clock.systemUTC(), metricsText, ClientAddress.trusting(config.trustedProxies()), limiter,
                TrackerScript.load());
        this.tls = tls;
        this.initializer = new CollectorInitializer(config, handler, metrics, state, tls);
        // Event loops last: a bad setting above fails before any thread exists.
        this.boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()),
                NioIoHandler.newFactory());
    }

    /**
     * @return the bound port
     * @throws IllegalStateException when the port cannot be bound, with a one-line reason
     */
    public int start() {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
        try {
            serverChannel = bootstrap.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        } catch (Exception e) {
            if (tls != null) {
                tls.close();
            }
            boss.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
            String why = e instanceof BindException ? "already in use or not permitted" : String.valueOf(e.getMessage());
            throw new IllegalStateException("collector port " + config.host() + ":" + config.port() + " cannot be bound: " + why);
        }
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** {@code https} when the collector ends TLS itself, else {@code http}. */
    public String scheme() {
        return tls != null ? "https" : "http";
    }

    public boolean ready() {
        return !state.draining() && sink.ready();
    }

    /**
     * Stops in order: readiness 503 and no new connections; each open connection finishes its current
     * request (202 after the ack, or 503 shutting_down) and closes; the producer is flushed; then the
     * threads stop. Bounded by read timeout + delivery timeout + 5 s, after which the rest is cut.
     */
    @Override
    public void close() {
        state.startDraining();
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        state.closeIdleConnections(DRAIN_IDLE_GRACE);
        long deadline = System.nanoTime() + config.readTimeout().plus(config.deliveryTimeout()).plusSeconds(5).toNanos();
        while ((state.openConnections() > 0 || state.inflightRequests() > 0) && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(10));
        }
        if (state.openConnections() > 0) {
            LOG.warn("event=collector_drain_timeout open_connections={} inflight_requests={}",
                    state.openConnections(), state.inflightRequests());
        }
        state.closeAll();
        sink.flush();
        sink.close();
        boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        if (tls != null) {
            tls.close();
        }
        LOG.info("event=collector_stopped");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
