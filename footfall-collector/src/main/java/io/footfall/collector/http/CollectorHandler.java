package io.footfall.collector.http;

import io.footfall.collector.decode.BodyDecoder;
import io.footfall.collector.decode.DecodedBatch;
import io.footfall.collector.decode.RequestRejected;
import io.footfall.collector.produce.EventSink;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.EventRules;
import io.footfall.core.event.RawEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Routes collector requests. Runs on the event loop and never blocks: decoding is bounded CPU work, and
 * the 202 is written from the producer's acknowledgement callback.
 */
@ChannelHandler.Sharable
public final class CollectorHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final BodyDecoder decoder;
    private final EventSink sink;
    private final CollectorMetrics metrics;
    private final CollectorState state;
    private final Clock clock;
    private final java.util.function.Supplier<String> metricsText;

    public CollectorHandler(BodyDecoder decoder, EventSink sink, CollectorMetrics metrics, CollectorState state,
                            Clock clock, java.util.function.Supplier<String> metricsText) {
        this.decoder = decoder;
        this.sink = sink;
        this.metrics = metrics;
        this.state = state;
        this.clock = clock;
        this.metricsText = metricsText;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = pathOf(request.uri());
        HttpMethod method = request.method();
        switch (path) {
            case "/v1/events" -> {
                if (method.equals(HttpMethod.POST)) {
                    events(ctx, request);
                } else if (method.equals(HttpMethod.OPTIONS)) {
                    respond(ctx, request, "events", preflight());
                } else {
                    respond(ctx, request, "events", methodNotAllowed("POST, OPTIONS"));
                }
            }
            case "/health/live" -> get(ctx, request, "health", () -> Responses.json(200, "{\"status\":\"live\"}".getBytes()));
            case "/health/ready" -> get(ctx, request, "health", this::readiness);
            case "/metrics" -> get(ctx, request, "metrics",
                    () -> Responses.text(200, "text/plain; version=0.0.4; charset=utf-8", metricsText.get()));
            default -> respond(ctx, request, "other", Responses.error(404, "not_found", "no such resource: " + path));
        }
    }

    private void get(ChannelHandlerContext ctx, FullHttpRequest request, String route,
                     java.util.function.Supplier<FullHttpResponse> answer) {
        if (request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD)) {
            respond(ctx, request, route, answer.get());
        } else {
            respond(ctx, request, route, methodNotAllowed("GET, HEAD"));
        }
    }

    private FullHttpResponse readiness() {
        if (state.draining()) {
            return Responses.unavailable("shutting_down", "the collector is shutting down");
        }
        if (!sink.ready()) {
            return Responses.unavailable("not_ready", "the stream is unreachable or the in-flight budget is nearly full");
        }
        return Responses.json(200, "{\"status\":\"ready\"}".getBytes());
    }

    private void events(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (state.draining()) {
            respond(ctx, request, "events", Responses.unavailable("shutting_down", "the collector is shutting down"));
            return;
        }
        long receivedAt = clock.millis();
        ByteBuf content = request.content();
        int length = content.readableBytes();
        metrics.bytesIn(length);
        DecodedBatch batch;
        try {
            byte[] body = ByteBufUtil.getBytes(content, content.readerIndex(), length, false);
            batch = decoder.decode(body, length, request.headers().get(HttpHeaderNames.CONTENT_TYPE),
                    request.headers().get(HttpHeaderNames.CONTENT_ENCODING), receivedAt);
        } catch (RequestRejected e) {
            metrics.rejected(e.error(), 1);
            respond(ctx, request, "events", Responses.error(e.status(), e.error(), e.getMessage()));
            return;
        }
        String ip = clientIp(ctx);
        String ua = request.headers().get(HttpHeaderNames.USER_AGENT);
        List<RawEvent> events = new ArrayList<>(batch.accepted().size());
        for (RawEvent e : batch.accepted()) {
            RawEvent withId = e.eventId() == null ? e.withEventId(EventRules.newEventId()) : e;
            events.add(withId.withReceipt(receivedAt, ip, ua));
        }
        List<BadEvent> bad = new ArrayList<>(batch.rejected().size());
        for (DecodedBatch.Rejection r : batch.rejected()) {
            bad.add(new BadEvent("collect", r.reason(), r.detail(), null, r.payload(), receivedAt));
            metrics.rejected(r.reason(), 1);
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        long started = System.nanoTime();
        state.requestStarted();
        sink.publish(events, bad, outcome -> {
            metrics.produceLatency().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            FullHttpResponse response = switch (outcome) {
                case ACKNOWLEDGED -> {
                    metrics.accepted(events.size());
                    yield Responses.accepted(events.size(), batch.rejected());
                }
                case OVERLOADED -> Responses.unavailable("overloaded", "the in-flight budget is full; retry shortly");
                case UNAVAILABLE -> Responses.unavailable("stream_unavailable", "the stream did not acknowledge the events; retry shortly");
            };
            metrics.request("events", response.status().code());
            write(ctx, response, keepAlive);
            state.requestFinished();
        });
    }

    private void respond(ChannelHandlerContext ctx, FullHttpRequest request, String route, FullHttpResponse response) {
        metrics.request(route, response.status().code());
        write(ctx, response, HttpUtil.isKeepAlive(request));
    }

    static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            HttpUtil.setKeepAlive(response, false);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse preflight() {
        FullHttpResponse response = Responses.empty(204);
        response.headers()
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, GET, OPTIONS")
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, Content-Encoding")
                .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");
        return response;
    }

    private static FullHttpResponse methodNotAllowed(String allow) {
        FullHttpResponse response = Responses.error(405, "method_not_allowed", "allowed methods: " + allow);
        response.headers().set(HttpHeaderNames.ALLOW, allow);
        return response;
    }

    private static String clientIp(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress address && address.getAddress() != null) {
            return address.getAddress().getHostAddress();
        }
        return null;
    }

    static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
