package io.footfall.collector.http;

import io.footfall.core.config.CollectorConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The collector's pipeline, wired in one place: codec → timeouts → aggregation (bounded) → handler. */
public final class CollectorInitializer extends ChannelInitializer<SocketChannel> {

    /** Longest request line and largest header block accepted; beyond them Netty answers 400/431. */
    private static final int MAX_INITIAL_LINE = 8 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final CollectorConfig config;
    private final CollectorHandler handler;

    public CollectorInitializer(CollectorConfig config, CollectorHandler handler) {
        this.config = config;
        this.handler = handler;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        pipeline.addLast("idle-close", new IdleCloser());
        pipeline.addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 64 * 1024));
        pipeline.addLast("aggregate", new BoundedAggregator(config.maxRequestBytes()));
        pipeline.addLast("handler", handler);
    }

    /** Closes connections idle longer than the idle timeout. */
    private static final class IdleCloser extends io.netty.channel.ChannelDuplexHandler {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof io.netty.handler.timeout.IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, event);
            }
        }
    }

    /** Aggregates bodies up to the limit; a larger one is answered with a JSON 413 and the connection closed. */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private final int maxBytes;

        BoundedAggregator(int maxBytes) {
            super(maxBytes);
            this.maxBytes = maxBytes;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            HttpUtil.setKeepAlive(oversized, false);
            CollectorHandler.write(ctx, Responses.error(413, "body_too_large",
                    "the body is larger than " + maxBytes + " bytes"), false);
        }
    }
}
