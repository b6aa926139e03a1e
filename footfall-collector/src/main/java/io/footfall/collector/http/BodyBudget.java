package io.footfall.collector.http;

import io.footfall.collector.produce.InflightBudget;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Bounds the request bytes buffered across all connections while bodies are being aggregated. Each
 * connection may hold up to {@code maxRequestBytes}, so without a shared bound many slow uploads could
 * fill the heap; beyond the budget a request is answered 503 (Retry-After) and its connection closed.
 *
 * <p>One instance per connection, sharing one {@link InflightBudget}; sits between the HTTP codec and the
 * aggregator. Bytes are released once the complete request has been handed on (the handler copies the
 * body synchronously and the aggregated message is freed when it returns) or when the connection closes.
 */
final class BodyBudget extends ChannelInboundHandlerAdapter {

    private final InflightBudget shared;
    private final CollectorMetrics metrics;
    private long held;
    private boolean refused;

    BodyBudget(InflightBudget shared, CollectorMetrics metrics) {
        this.shared = shared;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpContent content) {
            int bytes = content.content().readableBytes();
            if (!shared.tryReserve(bytes)) {
                refused = true;
                ReferenceCountUtil.release(msg);
                releaseHeld();
                metrics.request(Route.OTHER, 503);
                CollectorHandler.write(ctx, Responses.unavailable("overloaded",
                        "too many request bodies are being received; retry shortly"), false);
                return;
            }
            held += bytes;
            ctx.fireChannelRead(msg);
            if (msg instanceof LastHttpContent) {
                releaseHeld();
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseHeld();
        super.channelInactive(ctx);
    }

    private void releaseHeld() {
        if (held > 0) {
            shared.release(held);
            held = 0;
        }
    }
}
