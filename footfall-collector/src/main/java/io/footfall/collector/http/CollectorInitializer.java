package io.footfall.collector.http;

import io.footfall.collector.produce.InflightBudget;
import io.footfall.core.config.CollectorConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.flow.FlowControlHandler;

/**
 * The collector's pipeline, wired in one place:
 * TLS (when configured; its handshake times out after 10 s) → timeouts → HTTP codec → body budget (shared) → aggregation (bounded) → flow control (one request at a
 * time) → handler.
 */
public final class CollectorInitializer extends ChannelInitializer<Channel> {

    /** Longest request line (414 beyond) and largest header block (431 beyond): a header flood stops here. */
    static final int MAX_INITIAL_LINE = 8 * 1024;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_CHUNK_BYTES = 64 * 1024;

    private final CollectorConfig config;
    private final CollectorHandler handler;
    private final CollectorMetrics metrics;
    private final CollectorState state;
    private final InflightBudget bodyBudget;
    private final ServerTls tls;

    public CollectorInitializer(CollectorConfig config, CollectorHandler handler, CollectorMetrics metrics,
                                CollectorState state) {
        this(config, handler, metrics, state, null);
    }

    /** @param tls the HTTPS context, or null for plain HTTP */
    public CollectorInitializer(CollectorConfig config, CollectorHandler handler, CollectorMetrics metrics,
                                CollectorState state, ServerTls tls) {
        this.tls = tls;
        this.config = config;
        this.handler = handler;
        this.metrics = metrics;
        this.state = state;
        this.bodyBudget = new InflightBudget(config.maxBufferedBodyBytes());
    }

    @Override
    protected void initChannel(Channel channel) {
        state.opened(channel);
        ChannelPipeline pipeline = channel.pipeline();
        if (tls != null) {
            pipeline.addLast("tls", tls.context().newHandler(channel.alloc()));
        }
        pipeline.addLast("timeouts", new ConnectionTimeouts(config.readTimeout(), config.idleTimeout(), metrics));
        pipeline.addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, MAX_CHUNK_BYTES));
        // In front of everything that may answer by itself (the aggregator's 413 and 417, the body budget's 503):
        // the parts of a pipelined request wait here while the one before it is answered, so no early refusal of
        // the next can overtake (and, by closing the connection, lose) the 202 of an event already taken.
        pipeline.addLast("flow", new FlowControlHandler());
        pipeline.addLast("body-budget", new BodyBudget(bodyBudget, metrics));
        pipeline.addLast("aggregate", new BoundedAggregator(config.maxRequestBytes(), metrics));
        pipeline.addLast("handler", handler);
    }

    /**
     * Aggregates bodies up to the limit. A larger one — by its Content-Length before any body byte is read,
     * or while it streams in — is answered with a JSON 413 and the connection closed.
     */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private final int maxBytes;
        private final CollectorMetrics metrics;

        BoundedAggregator(int maxBytes, CollectorMetrics metrics) {
            super(maxBytes, true); // a refused "Expect: 100-continue" closes the connection
            this.maxBytes = maxBytes;
            this.metrics = metrics;
        }

        /** Netty's own answers to {@code Expect} are empty bodies; these are the collector's JSON ones. */
        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            Object netty = super.newContinueResponse(start, maxContentLength, pipeline);
            if (!(netty instanceof io.netty.handler.codec.http.HttpResponse refusal) || refusal.status().code() < 400) {
                return netty;
            }
            io.netty.util.ReferenceCountUtil.release(netty);
            int status = refusal.status().code();
            metrics.request(Route.of(CollectorHandler.pathOf(
                    start instanceof io.netty.handler.codec.http.HttpRequest r ? r.uri() : "")), status);
            // Counted by reason like any refused body (curl sends Expect: 100-continue for bodies over 1 MB).
            metrics.rejected(status == 413 ? "body_too_large" : "expectation_failed", 1);
            FullHttpResponse response = status == 413
                    ? Responses.error(413, "body_too_large", "the body is larger than " + maxBytes + " bytes")
                    : Responses.error(status, "expectation_failed", "only 'Expect: 100-continue' is supported");
            HttpUtil.setKeepAlive(response, false);
            CollectorHandler.finish(pipeline.channel());
            return response;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            metrics.request(Route.of(CollectorHandler.pathOf(
                    oversized instanceof io.netty.handler.codec.http.HttpRequest r ? r.uri() : "")), 413);
            metrics.rejected("body_too_large", 1);
            HttpUtil.setKeepAlive(oversized, false);
            FullHttpResponse response = Responses.error(413, "body_too_large",
                    "the body is larger than " + maxBytes + " bytes");
            HttpUtil.setKeepAlive(response, false);
            CollectorHandler.finish(ctx.channel());
            ConnectionTimeouts timeouts = ConnectionTimeouts.of(ctx.channel());
            if (ctx.channel() instanceof DuplexChannel duplex && timeouts != null) {
                // Answer, half-close, and let the aggregator discard the rest of the body for a bounded time.
                ctx.writeAndFlush(response).addListener(f -> duplex.shutdownOutput());
                timeouts.drainThenClose();
            } else {
                CollectorHandler.write(ctx, response, false);
            }
        }
    }
}
