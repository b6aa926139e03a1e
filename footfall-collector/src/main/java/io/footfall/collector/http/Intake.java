package io.footfall.collector.http;

import io.footfall.collector.client.ClientAddress;
import io.footfall.collector.decode.BodyDecoder;
import io.footfall.collector.decode.DecodedBatch;
import io.footfall.collector.decode.RequestRejected;
import io.footfall.collector.limit.RateLimiter;
import io.footfall.collector.pixel.PixelQuery;
import io.footfall.collector.produce.EventSink;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.ClientIps;
import io.footfall.core.event.EventRules;
import io.footfall.core.event.RawEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Taking events in, for {@code POST /v1/events} and the pixel: refuse early (draining, rate), decode,
 * attach the receipt facts, publish, and answer from the acknowledgement — back on the connection's event
 * loop, never blocking it.
 */
final class Intake {

    /** How an answer leaves: counted, written, and the connection resumed or closed. */
    @FunctionalInterface
    interface Reply {
        void send(ChannelHandlerContext ctx, Route route, FullHttpResponse response, boolean keepAlive);
    }

    private final BodyDecoder decoder;
    private final EventSink sink;
    private final CollectorMetrics metrics;
    private final CollectorState state;
    private final Clock clock;
    private final ClientAddress clientAddress;
    private final RateLimiter rateLimiter;
    private final Reply reply;

    Intake(BodyDecoder decoder, EventSink sink, CollectorMetrics metrics, CollectorState state, Clock clock,
           ClientAddress clientAddress, RateLimiter rateLimiter, Reply reply) {
        this.decoder = decoder;
        this.sink = sink;
        this.metrics = metrics;
        this.state = state;
        this.clock = clock;
        this.clientAddress = clientAddress;
        this.rateLimiter = rateLimiter;
        this.reply = reply;
    }

    /** Refusals that apply before the body is read: shutting down, or this client is over its rate. */
    private FullHttpResponse refusal(String ip) {
        if (state.draining()) {
            return shuttingDown();
        }
        if (rateLimiter != null && ip != null) {
            long retryAfter = rateLimiter.tryAcquire(ip);
            if (retryAfter > 0) {
                return Responses.tooManyRequests(retryAfter);
            }
        }
        return null;
    }

    void events(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        String ip = clientAddress.resolve(ctx.channel().remoteAddress(), request.headers().get("X-Forwarded-For"));
        FullHttpResponse refused = refusal(ip);
        if (refused != null) {
            reply.send(ctx, Route.EVENTS, refused, keepAlive);
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
            reply.send(ctx, Route.EVENTS, Responses.error(e.status(), e.error(), e.getMessage()), keepAlive);
            return;
        }
        publish(ctx, Route.EVENTS, batch, new Receipt(receivedAt, ip, request.headers().get(HttpHeaderNames.USER_AGENT)),
                keepAlive, () -> Responses.accepted(batch.accepted().size(), batch.rejected()));
    }

    void pixel(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        String ip = clientAddress.resolve(ctx.channel().remoteAddress(), request.headers().get("X-Forwarded-For"));
        FullHttpResponse refused = refusal(ip);
        if (refused != null) {
            reply.send(ctx, Route.PIXEL, refused, keepAlive);
            return;
        }
        long receivedAt = clock.millis();
        DecodedBatch batch;
        try {
            byte[] json = PixelQuery.toJson(request.uri());
            batch = decoder.decode(json, json.length, "application/json", null, receivedAt);
        } catch (RequestRejected e) {
            metrics.rejected(e.error(), 1);
            reply.send(ctx, Route.PIXEL, Responses.error(e.status(), e.error(), e.getMessage()), keepAlive);
            return;
        }
        publish(ctx, Route.PIXEL, batch, new Receipt(receivedAt, ip, request.headers().get(HttpHeaderNames.USER_AGENT)),
                keepAlive, () -> pixelAnswer(batch));
    }

    /**
     * {@code HEAD /v1/p.gif}: the status and headers a GET would get for the same query (400 for one the GET would
     * refuse), without recording anything: link checkers and previews ask HEAD, and HEAD changes nothing.
     */
    void pixelHead(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        if (state.draining()) {
            reply.send(ctx, Route.PIXEL, shuttingDown(), keepAlive); // no rate token is taken: a HEAD sends nothing
            return;
        }
        FullHttpResponse answer;
        try {
            byte[] json = PixelQuery.toJson(request.uri());
            DecodedBatch batch = decoder.decode(json, json.length, "application/json", null, clock.millis());
            answer = !batch.rejected().isEmpty() && onlyUnknownSites(batch.rejected()) ? unknownSite() : pixelAnswer(batch);
        } catch (RequestRejected e) {
            answer = Responses.error(e.status(), e.error(), e.getMessage());
        }
        reply.send(ctx, Route.PIXEL, answer, keepAlive);
    }

    /** The pixel's answer to its one event: the GIF, or the 400 of its rejection. */
    private static FullHttpResponse pixelAnswer(DecodedBatch batch) {
        if (batch.rejected().isEmpty()) {
            return Responses.pixel();
        }
        DecodedBatch.Rejection r = batch.rejected().get(0);
        return Responses.error(400, r.reason(), r.detail());
    }

    private static FullHttpResponse shuttingDown() {
        return Responses.unavailable("shutting_down", "the collector is shutting down");
    }

    private static FullHttpResponse unknownSite() {
        return Responses.error(403, BodyDecoder.UNKNOWN_SITE, "this collector does not accept events for that site");
    }

    /**
     * Connection facts attached to every accepted event. The client's address is kept truncated to its network
     * ({@link ClientIps}): the full one is used only in memory, by the rate limiter.
     */
    private record Receipt(long receivedAt, String ip, String userAgent) {
        Receipt {
            ip = ClientIps.anonymise(ip);
        }
    }

    private void publish(ChannelHandlerContext ctx, Route route, DecodedBatch batch, Receipt receipt, boolean keepAlive,
                         Supplier<FullHttpResponse> acknowledged) {
        if (batch.accepted().isEmpty() && onlyUnknownSites(batch.rejected())) {
            // Not data from a site we serve: refuse outright instead of filling footfall.bad with it.
            metrics.rejected(BodyDecoder.UNKNOWN_SITE, batch.rejected().size());
            reply.send(ctx, route, unknownSite(), keepAlive);
            return;
        }
        List<RawEvent> events = new ArrayList<>(batch.accepted().size());
        for (RawEvent e : batch.accepted()) {
            RawEvent withId = e.eventId() == null ? e.withEventId(EventRules.newEventId()) : e;
            // A server reporting for a visitor may name the visitor's user agent in the event; else the request's.
            String userAgent = e.userAgent() != null ? e.userAgent() : receipt.userAgent();
            events.add(withId.withReceipt(receipt.receivedAt(), receipt.ip(), userAgent));
        }
        List<BadEvent> bad = new ArrayList<>(batch.rejected().size());
        for (DecodedBatch.Rejection r : batch.rejected()) {
            bad.add(new BadEvent("collect", r.reason(), r.detail(), null, r.payload(), receipt.receivedAt()));
            metrics.rejected(r.reason(), 1);
        }
        long started = System.nanoTime();
        state.requestStarted();
        try {
            send(ctx, route, events, bad, keepAlive, acknowledged, started);
        } catch (RuntimeException e) {
            // Nothing will call back: the request is over here, or shutdown would wait for it in vain.
            state.requestFinished();
            throw e;
        }
    }

    private void send(ChannelHandlerContext ctx, Route route, List<RawEvent> events, List<BadEvent> bad,
                         boolean keepAlive, Supplier<FullHttpResponse> acknowledged, long started) {
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
                    reply.send(ctx, route, response, keepAlive);
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
}
