package io.footfall.collector.http;

import io.footfall.collector.client.ClientAddress;
import io.footfall.collector.decode.BodyDecoder;
import io.footfall.collector.limit.RateLimiter;
import io.footfall.collector.produce.EventSink;
import io.footfall.collector.tracker.TrackerScript;
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
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes collector requests and writes every answer. Runs on the event loop and never blocks: taking
 * events in is {@link Intake}, whose 202 is written when the acknowledgement comes back to the loop.
 *
 * <p>One request per connection at a time: reading pauses while an answer waits for the broker (the flow-control
 * handler in front holds anything pipelined meanwhile, before anything else can answer it), so answers leave in
 * request order and a client cannot queue unbounded work on one connection. Nor unbounded answers: reading also
 * pauses while the connection's outbound buffer is above Netty's write-buffer high-water mark (64 KB), so a client
 * that pipelines requests and never reads the answers stops being read instead of filling memory with them (and
 * once more than 128 of its requests wait, Netty's codec closes the connection).
 */
@ChannelHandler.Sharable
public final class CollectorHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorHandler.class);
    private static final byte[] LIVE = "{\"status\":\"live\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] READY = "{\"status\":\"ready\"}".getBytes(StandardCharsets.US_ASCII);
    /** Set once the connection's last answer is written by a handler in front (413, 417): nothing after it is handled. */
    private static final AttributeKey<Boolean> FINISHED = AttributeKey.valueOf("footfall.finished");
    /** Whether the request being handled came as HTTP/1.0, whose client keeps a connection only when told so. */
    private static final AttributeKey<Boolean> HTTP_1_0 = AttributeKey.valueOf("footfall.http10");
    /** Whether the request being handled has had its answer written (false while it waits for the broker). */
    private static final AttributeKey<Boolean> ANSWERED = AttributeKey.valueOf("footfall.answered");
    /** Set while an answered connection waits for its outbound buffer to drain before the next request is read. */
    private static final AttributeKey<Boolean> RESUME_WHEN_WRITABLE = AttributeKey.valueOf("footfall.resumeWhenWritable");
    /** The target Netty gives a request whose first line it could not read. */
    private static final String BAD_REQUEST_URI = "/bad-request";

    private final EventSink sink;
    private final CollectorMetrics metrics;
    private final CollectorState state;
    private final Supplier<String> metricsText;
    private final TrackerScript tracker;
    private final Intake intake;

    /**
     * @param rateLimiter per-client-IP limit, or null when off
     */
    public CollectorHandler(BodyDecoder decoder, EventSink sink, CollectorMetrics metrics, CollectorState state,
                            Clock clock, Supplier<String> metricsText, ClientAddress clientAddress,
                            RateLimiter rateLimiter, TrackerScript tracker) {
        this.sink = sink;
        this.metrics = metrics;
        this.state = state;
        this.metricsText = metricsText;
        this.tracker = tracker;
        this.intake = new Intake(decoder, sink, metrics, state, clock, clientAddress, rateLimiter, this::reply);
    }

    /**
     * A handler in front has written the connection's last answer and closes it once the rest of the refused body has
     * been read: a request pipelined behind that body is dropped, unanswered and unrecorded (its answer could no
     * longer reach the client, which would send its events again).
     */
    static void finish(Channel channel) {
        channel.attr(FINISHED).set(Boolean.TRUE);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (Boolean.TRUE.equals(ctx.channel().attr(FINISHED).get())) {
            return; // reading goes on, so the client can finish sending and read the refusal; nothing more is done
        }
        ConnectionTimeouts timeouts = ConnectionTimeouts.of(ctx.channel());
        if (timeouts != null) {
            timeouts.requestRead();
        }
        Channel channel = ctx.channel();
        channel.attr(ANSWERED).set(Boolean.FALSE);
        channel.attr(HTTP_1_0).set(request.protocolVersion().equals(HttpVersion.HTTP_1_0));
        handle(ctx, request);
        if (!Boolean.TRUE.equals(channel.attr(ANSWERED).get())) {
            // The answer waits for the broker: nothing more is read from this connection until it is written. A
            // request answered at once leaves reading as it is, so the next pipelined one follows in this same loop.
            channel.config().setAutoRead(false);
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            reply(ctx, Route.OTHER, malformed(request), false);
            return;
        }
        if (request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            // The aggregator takes "chunked" away once it has de-chunked the body: whatever is left is a coding this
            // collector does not undo (Transfer-Encoding: gzip, chunked), and the body is not what it seems.
            reply(ctx, Route.OTHER, malformed(), false);
            return;
        }
        if (request.protocolVersion().majorVersion() != 1) {
            // Netty parses any HTTP/x.y; only 1.0 and 1.1 are spoken here (and never with a 5xx).
            reply(ctx, Route.OTHER, malformed(), false);
            return;
        }
        if (!hasValidHost(request)) {
            reply(ctx, Route.OTHER, malformed(), false);
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
                    intake.events(ctx, request, keepAlive);
                } else if (method.equals(HttpMethod.OPTIONS)) {
                    reply(ctx, route, preflight(), keepAlive);
                } else {
                    reply(ctx, route, Responses.methodNotAllowed("POST, OPTIONS"), keepAlive);
                }
            }
            case PIXEL -> {
                if (method.equals(HttpMethod.GET)) {
                    intake.pixel(ctx, request, keepAlive);
                } else if (method.equals(HttpMethod.HEAD)) {
                    intake.pixelHead(ctx, request, keepAlive);
                } else {
                    reply(ctx, route, Responses.methodNotAllowed("GET, HEAD"), keepAlive);
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
        return Responses.script(tracker.body(gzip), gzip, tracker.etag(gzip),
                tracker.matches(headers.get(HttpHeaderNames.IF_NONE_MATCH), gzip));
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

    /** Writes the answer, counts it, and resumes reading the connection (or closes it). */
    private void reply(ChannelHandlerContext ctx, Route route, FullHttpResponse response, boolean keepAliveAsked) {
        metrics.request(route, response.status().code());
        // While draining, each connection closes after its answer, so shutdown can wait for all of them.
        boolean keepAlive = keepAliveAsked && !state.draining();
        HttpUtil.setKeepAlive(response, keepAlive);
        Channel channel = ctx.channel();
        if (keepAlive && Boolean.TRUE.equals(channel.attr(HTTP_1_0).get())) {
            // an HTTP/1.0 client closes after the answer unless the answer says the connection stays (RFC 9112 9.3)
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ChannelFuture written = ctx.writeAndFlush(response);
        channel.attr(ANSWERED).set(Boolean.TRUE);
        if (!keepAlive) {
            // The last answer on this connection: nothing pipelined behind it is read or acted on.
            channel.config().setAutoRead(false);
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ConnectionTimeouts timeouts = ConnectionTimeouts.of(channel);
        if (timeouts != null) {
            timeouts.responded();
        }
        if (!channel.isWritable()) {
            // The client is not reading its answers: read nothing more of it until they have drained.
            channel.config().setAutoRead(false);
            channel.attr(RESUME_WHEN_WRITABLE).set(Boolean.TRUE);
        } else if (!channel.config().isAutoRead()) {
            // An answer that waited for the broker (a task of its own): the next request may come.
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && Boolean.TRUE.equals(ctx.channel().attr(RESUME_WHEN_WRITABLE).getAndSet(null))) {
            ctx.channel().config().setAutoRead(true);
        }
        super.channelWritabilityChanged(ctx);
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

    private static FullHttpResponse malformed(FullHttpRequest request) {
        Throwable cause = request.decoderResult().cause();
        if (cause instanceof TooLongHttpLineException) {
            // Netty stands a request whose first line it could not read for "GET /bad-request"; any other request
            // had its line read, and the long line was a chunk's size line.
            return BAD_REQUEST_URI.equals(request.uri())
                    ? Responses.error(414, "uri_too_long", "the request line is too long")
                    : Responses.error(400, "malformed_request", "a chunk's size line is too long");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return Responses.error(431, "headers_too_large", "the request headers are too large");
        }
        if (cause instanceof TooLongFrameException) {
            return Responses.error(413, "body_too_large", "the request is too large");
        }
        return malformed();
    }

    private static FullHttpResponse malformed() {
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

    /**
     * RFC 9112 §3.2: a server must answer 400 to an HTTP/1.1 request without a Host header, with more than
     * one, or with one whose value is not a host (and port); HTTP/1.0 may leave it out.
     */
    static boolean hasValidHost(FullHttpRequest request) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.isEmpty()) {
            return request.protocolVersion().minorVersion() == 0;
        }
        return hosts.size() == 1 && isAuthority(hosts.get(0));
    }

    /** Characters of {@code uri-host [":" port]}: reg-name, IPv4 or a bracketed IPv6 literal. */
    private static boolean isAuthority(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alphanumeric && "-._~!$&'()*+,;=%:[]".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The path of a request target: origin-form ({@code /v1/events?x}) or absolute-form
     * ({@code http://host/v1/events?x}), which RFC 9112 §3.2.2 says a server must accept.
     */
    static String pathOf(String uri) {
        String target = uri;
        int scheme = uri.indexOf("://");
        if ((scheme == 4 || scheme == 5) && uri.regionMatches(true, 0, "https", 0, scheme)) {
            int authorityEnd = scheme + 3;
            while (authorityEnd < uri.length() && "/?#".indexOf(uri.charAt(authorityEnd)) < 0) {
                authorityEnd++;
            }
            target = authorityEnd < uri.length() && uri.charAt(authorityEnd) == '/' ? uri.substring(authorityEnd)
                    : "/" + uri.substring(authorityEnd);
        }
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and the like: nothing to answer, nothing worth a stack trace per client.
        LOG.debug("event=connection_error error={}", cause.getClass().getName());
        ctx.close();
    }
}
