package io.footfall.collector.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The time limits of one connection, as a small state machine that sits in front of the HTTP codec:
 *
 * <ul>
 *   <li>idle (between requests): closed after {@code idleTimeout};</li>
 *   <li>reading (from the first byte of a request until it is complete): answered 408 and closed after
 *       {@code readTimeout} — a client that dribbles headers or a body (slowloris) holds a connection
 *       for at most that long, however slowly it sends;</li>
 *   <li>waiting (request complete, answer awaits the broker): no timer here — the producer's delivery
 *       timeout bounds it and reading is paused.</li>
 * </ul>
 *
 * One instance per connection; the request handler moves it with {@link #requestRead} and
 * {@link #responded}. All methods run on the connection's event loop.
 */
final class ConnectionTimeouts extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<ConnectionTimeouts> KEY = AttributeKey.valueOf("footfall.timeouts");

    private enum State { IDLE, READING, WAITING, DRAINING }

    private final long readTimeoutNanos;
    private final long idleTimeoutNanos;
    private final CollectorMetrics metrics;
    private ChannelHandlerContext ctx;
    private State state = State.IDLE;
    private ScheduledFuture<?> timer;

    ConnectionTimeouts(Duration readTimeout, Duration idleTimeout, CollectorMetrics metrics) {
        this.readTimeoutNanos = readTimeout.toNanos();
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.metrics = metrics;
    }

    static ConnectionTimeouts of(Channel channel) {
        return channel.attr(KEY).get();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().attr(KEY).set(this);
        if (ctx.channel().isActive()) {
            schedule(idleTimeoutNanos);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (timer == null) {
            schedule(idleTimeoutNanos);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (state == State.IDLE && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            state = State.READING;
            schedule(readTimeoutNanos);
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    /** True between requests: nothing read of a next request, nothing owed to the client. */
    boolean idle() {
        return state == State.IDLE;
    }

    /** Shutdown: an idle connection closes after {@code grace} instead of the idle timeout. */
    void closeIfStillIdleAfter(Duration grace) {
        if (state == State.IDLE) {
            schedule(Math.min(grace.toNanos(), idleTimeoutNanos));
        }
    }

    /** The whole request has arrived: stop the read clock while the answer is prepared. */
    void requestRead() {
        state = State.WAITING;
        cancel();
    }

    /** The answer is written: the connection is idle until the next request's first byte. */
    void responded() {
        if (state == State.WAITING) {
            state = State.IDLE;
            schedule(idleTimeoutNanos);
        }
    }

    /**
     * An answer went out before the request body was read (413): the rest of the body is read and
     * discarded for at most the read timeout, then the connection closes. Closing at once would reset a
     * connection the client is still writing to, and it would never see the 413.
     */
    void drainThenClose() {
        state = State.DRAINING;
        schedule(readTimeoutNanos);
    }

    private void schedule(long nanos) {
        cancel();
        timer = ctx.executor().schedule(this::expire, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire() {
        timer = null;
        Channel channel = ctx.channel();
        if (!channel.isActive()) {
            return;
        }
        if (state == State.READING) {
            metrics.request(Route.OTHER, 408);
            // Through the whole pipeline, so the HTTP encoder frames it; then the connection is done.
            CollectorHandler.writeFromTail(channel, Responses.error(408, "request_timeout",
                    "the request was not received completely within the read timeout"));
        } else if (state == State.IDLE || state == State.DRAINING) {
            channel.close();
        }
    }
}
