package io.footfall.collector.http;

import io.footfall.collector.client.ClientAddress;
import io.footfall.collector.decode.BodyDecoder;
import io.footfall.collector.decode.DecodedBatch;
import io.footfall.collector.decode.RequestRejected;
import io.footfall.collector.limit.RateLimiter;
import io.footfall.collector.pixel.PixelQuery;
import io.footfall.collector.produce.EventSink;
import io.footfall.collector.tracker.TrackerScript;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.EventRules;
import io.footfall.core.event.RawEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes collector requests. Runs on the event loop and never blocks: decoding is bounded CPU work, and
 * the 202 is written when the producer's acknowledgement callback hands the result back to the loop.
 *
 * <p>One request per connection at a time: reading pauses while a request is answered (the flow-control
 * handler in front holds anything pipelined), so answers leave in request order and a client cannot
 * queue unbounded work on one connection.
 */
@ChannelHandler.Sharable
public final class CollectorHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorHandler.class);
    private static final byte[] LIVE = "{\"status\":\"live\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] READY = "{\"status\":\"ready\"}".getBytes(StandardCharsets.US_ASCII);

    private final BodyDecoder decoder;
    private final EventSink sink;
    private final CollectorMetrics metrics;
    private final CollectorState state;
    private final Clock clock;
    private final Supplier<String> metricsText;
    private final ClientAddress clientAddress;
    private final RateLimiter rateLimiter;
    private final TrackerScript tracker;

    /**
     * @param rateLimiter per-client-IP limit, or null when off
     */
    public CollectorHandler(BodyDecoder decoder, EventSink sink, CollectorMetrics metrics, CollectorState state,
                            Clock clock, Supplier<String> metricsText, ClientAddress clientAddress,
                            RateLimiter rateLimiter, TrackerScript tracker) {
        this.decoder = decoder;
        this.sink = sink;
        this.metrics = metrics;
        this.state = state;
        this.clock = clock;
        this.metricsText = metricsText;
        this.clientAddress = clientAddress;
        this.rateLimiter = rateLimiter;
        this.tracker = tracker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        ConnectionTimeouts timeouts = ConnectionTimeouts.of(ctx.channel());
        if (timeouts != null) {
            timeouts.requestRead();
        }
        ctx.channel().config().setAutoRead(false);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            reply(ctx, Route.OTHER, malformed(request.decoderResult().cause()), false);
            return;
        }
        if (request.protocolVersion().majorVersion() != 1) {
            // Netty parses any HTTP/x.y; only 1.0 and 1.1 are spoken here (and never with a 5xx).
            reply(ctx, Route.OTHER, malformed(null), false);
            return;
        }
        String path = pathOf(request.uri());
        Route route = Route.of(path);
        try {
            dispatch(ctx, request, route, path, keepAlive);
        } catch (RuntimeException e) {
            // A bug must not become a 5xx or a dead connection; the class name says enough to find it.
            LOG.warn("event=request_failed route={} error={}", route.tag(), e.getClass().getName());
            reply(ctx, route, Responses.error(400, "invalid_request", "the request could not be processed"), false);
        }
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request, Route route, String path, boolean keepAlive) {
        HttpMethod method = request.method();
        switch (route) {
            case EVENTS -> {
                if (method.equals(HttpMethod.POST)) {
                    events(ctx, request, keepAlive);
                } else if (method.equals(HttpMethod.OPTIONS)) {
                    reply(ctx, route, preflight(), keepAlive);
                } else {
                    reply(ctx, route, Responses.methodNotAllowed("POST, OPTIONS"), keepAlive);
                }
            }
            case PIXEL -> {
                if (method.equals(HttpMethod.GET)) {
                    pixel(ctx, request, keepAlive);
                } else {
                    reply(ctx, route, Responses.methodNotAllowed("GET"), keepAlive);
                }
            }
            case TRACKER -> get(ctx, request, route, keepAlive, () -> script(request.headers()));
            case HEALTH -> get(ctx, request, route, keepAlive,
                    () -> path.equals("/health/live") ? Responses.json(200, LIVE) : readiness());
            case METRICS -> get(ctx, request, route, keepAlive,
                    () -> Responses.text(200, "text/plain; version=0.0.4; charset=utf-8", metricsText.get()));
            default -> reply(ctx, route, Responses.error(404, "not_found", "no such resource"), keepAlive);
        }
    }

    private void get(ChannelHandlerContext ctx, FullHttpRequest request, Route route, boolean keepAlive,
                     Supplier<FullHttpResponse> answer) {
        if (request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD)) {
            reply(ctx, route, answer.get(), keepAlive);
        } else {
            reply(ctx, route, Responses.methodNotAllowed("GET, HEAD"), keepAlive);
        }
    }

    private FullHttpResponse readiness() {
        if (state.draining()) {
            return Responses.unavailable("shutting_down", "the collector is shutting down");
        }
        if (!sink.ready()) {
            return Responses.unavailable("not_ready", "the stream is unreachable or the in-flight budget is nearly full");
        }
        return Responses.json(200, READY);
    }

    private FullHttpResponse script(HttpHeaders headers) {
        boolean gzip = acceptsGzip(headers.get(HttpHeaderNames.ACCEPT_ENCODING));
        return Responses.script(tracker.body(gzip), gzip, tracker.etag(),
                tracker.matches(headers.get(HttpHeaderNames.IF_NONE_MATCH)));
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.split(",")) {
            String[] coding = part.trim().split(";", 2);
            if (coding[0].trim().equalsIgnoreCase("gzip")) {
                return coding.length == 1 || !coding[1].replace(" ", "").matches("q=0(\\.0*)?");
            }
        }
        return false;
    }

    /** Refusals that apply before the body is read: shutting down, or this client is over its rate. */
    private FullHttpResponse refusal(String ip) {
        if (state.draining()) {
            return Responses.unavailable("shutting_down", "the collector is shutting down");
        }
        if (rateLimiter != null && ip != null) {
            long retryAfter = rateLimiter.tryAcquire(ip);
            if (retryAfter > 0) {
                return Responses.tooManyRequests(retryAfter);
            }
        }
        return null;
    }

    private void events(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        String ip = clientAddress.resolve(ctx.channel().remoteAddress(), request.headers().get("X-Forwarded-For"));
        FullHttpResponse refused = refusal(ip);
        if (refused != null) {
            reply(ctx, Route.EVENTS, refused, keepAlive);
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
            reply(ctx, Route.EVENTS, Responses.error(e.status(), e.error(), e.getMessage()), keepAlive);
            return;
        }
        publish(ctx, Route.EVENTS, batch, new Receipt(receivedAt, ip, request.headers().get(HttpHeaderNames.USER_AGENT)),
                keepAlive, () -> Responses.accepted(batch.accepted().size(), batch.rejected()));
    }

    private void pixel(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        String ip = clientAddress.resolve(ctx.channel().remoteAddress(), request.headers().get("X-Forwarded-For"));
        FullHttpResponse refused = refusal(ip);
        if (refused != null) {
            reply(ctx, Route.PIXEL, refused, keepAlive);
            return;
        }
        long receivedAt = clock.millis();
        byte[] json = PixelQuery.toJson(request.uri());
        DecodedBatch batch;
        try {
            batch = decoder.decode(json, json.length, "application/json", null, receivedAt);
        } catch (RequestRejected e) {
            metrics.rejected(e.error(), 1);
            reply(ctx, Route.PIXEL, Responses.error(e.status(), e.error(), e.getMessage()), keepAlive);
            return;
        }
        publish(ctx, Route.PIXEL, batch, new Receipt(receivedAt, ip, request.headers().get(HttpHeaderNames.USER_AGENT)),
                keepAlive, () -> {
                    if (batch.rejected().isEmpty()) {
                        return Responses.pixel();
                    }
                    DecodedBatch.Rejection r = batch.rejected().get(0);
                    return Responses.error(400, r.reason(), r.detail());
                });
    }

    /** Connection facts attached to every accepted event. */
    private record Receipt(long receivedAt, String ip, String userAgent) {
    }

    private void publish(ChannelHandlerContext ctx, Route route, DecodedBatch batch, Receipt receipt, boolean keepAlive,
                         Supplier<FullHttpResponse> acknowledged) {
        if (batch.accepted().isEmpty() && onlyUnknownSites(batch.rejected())) {
            // Not data from a site we serve: refuse outright instead of filling footfall.bad with it.
            metrics.rejected(BodyDecoder.UNKNOWN_SITE, batch.rejected().size());
            reply(ctx, route, Responses.error(403, BodyDecoder.UNKNOWN_SITE,
                    "this collector does not accept events for that site"), keepAlive);
            return;
        }
        List<RawEvent> events = new ArrayList<>(batch.accepted().size());
        for (RawEvent e : batch.accepted()) {
            RawEvent withId = e.eventId() == null ? e.withEventId(EventRules.newEventId()) : e;
            events.add(withId.withReceipt(receipt.receivedAt(), receipt.ip(), receipt.userAgent()));
        }
        List<BadEvent> bad = new ArrayList<>(batch.rejected().size());
        for (DecodedBatch.Rejection r : batch.rejected()) {
            bad.add(new BadEvent("collect", r.reason(), r.detail(), null, r.payload(), receipt.receivedAt()));
            metrics.rejected(r.reason(), 1);
        }
        long started = System.nanoTime();
        state.requestStarted();
        sink.publish(events, bad, outcome -> {
            long nanos = System.nanoTime() - started;
            try {
                ctx.executor().execute(() -> {
                    metrics.produceLatency().record(nanos, TimeUnit.NANOSECONDS);
                    FullHttpResponse response = switch (outcome) {
                        case ACKNOWLEDGED -> {
                            metrics.accepted(events.size());
                            yield acknowledged.get();
                        }
                        case OVERLOADED -> Responses.unavailable("overloaded", "the in-flight budget is full; retry shortly");
                        case UNAVAILABLE -> Responses.unavailable("stream_unavailable",
                                "the stream did not acknowledge the events; retry shortly");
                    };
                    reply(ctx, route, response, keepAlive);
                    state.requestFinished();
                });
            } catch (RejectedExecutionException e) {
                // The event loop is already gone (forced shutdown): the connection is closed with it.
                state.requestFinished();
            }
        });
    }

    private static boolean onlyUnknownSites(List<DecodedBatch.Rejection> rejected) {
        if (rejected.isEmpty()) {
            return false;
        }
        for (DecodedBatch.Rejection r : rejected) {
            if (!r.reason().equals(BodyDecoder.UNKNOWN_SITE)) {
                return false;
            }
        }
        return true;
    }

    /** Writes the answer, counts it, and resumes reading the connection (or closes it). */
    private void reply(ChannelHandlerContext ctx, Route route, FullHttpResponse response, boolean keepAliveAsked) {
        metrics.request(route, response.status().code());
        // While draining, each connection closes after its answer, so shutdown can wait for all of them.
        boolean keepAlive = keepAliveAsked && !state.draining();
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ConnectionTimeouts timeouts = ConnectionTimeouts.of(ctx.channel());
        if (timeouts != null) {
            timeouts.responded();
        }
        ctx.channel().config().setAutoRead(true);
    }

    /** Writes a final answer through the whole pipeline and closes the connection. */
    static void writeFromTail(Channel channel, FullHttpResponse response) {
        HttpUtil.setKeepAlive(response, false);
        channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** Writes a final answer from a handler in front of this one and closes the connection. */
    static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse malformed(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return Responses.error(414, "uri_too_long", "the request line is too long");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return Responses.error(431, "headers_too_large", "the request headers are too large");
        }
        if (cause instanceof TooLongFrameException) {
            return Responses.error(413, "body_too_large", "the request is too large");
        }
        return Responses.error(400, "malformed_request", "the request is not valid HTTP/1.1");
    }

    private static FullHttpResponse preflight() {
        FullHttpResponse response = Responses.empty(204);
        response.headers()
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, GET, OPTIONS")
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, Content-Encoding")
                .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");
        return response;
    }

    static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and the like: nothing to answer, nothing worth a stack trace per client.
        LOG.debug("event=connection_error error={}", cause.getClass().getName());
        ctx.close();
    }
}
