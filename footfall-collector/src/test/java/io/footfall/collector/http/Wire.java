package io.footfall.collector.http;

import io.footfall.collector.client.ClientAddress;
import io.footfall.collector.decode.BodyDecoder;
import io.footfall.collector.decode.Limits;
import io.footfall.collector.limit.RateLimiter;
import io.footfall.collector.tracker.TrackerScript;
import io.footfall.core.config.CollectorConfig;
import io.footfall.core.config.Settings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The collector's real channel pipeline on an {@link EmbeddedChannel}: raw request bytes in, raw response
 * bytes out, on a fake clock — so timeouts are tested without sleeping and without a network.
 */
final class Wire {

    static final long NOW = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();

    final RecordingSink sink = new RecordingSink();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final CollectorState state = new CollectorState();
    final AtomicLong limiterNanos = new AtomicLong();
    final CollectorConfig config;
    final EmbeddedChannel channel;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    Wire(Map<String, String> settings) {
        this(settings, new InetSocketAddress("203.0.113.7", 51000));
    }

    Wire(Map<String, String> settings, SocketAddress peer) {
        config = CollectorConfig.from(Settings.of(settings));
        CollectorMetrics metrics = new CollectorMetrics(registry);
        RateLimiter limiter = config.rateLimited()
                ? new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst(), 1000, limiterNanos::get) : null;
        CollectorHandler handler = new CollectorHandler(new BodyDecoder(Limits.from(config)), sink, metrics, state,
                Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), () -> "# metrics\n",
                ClientAddress.trusting(config.trustedProxies()), limiter, TrackerScript.load());
        initializer = new CollectorInitializer(config, handler, metrics, state);
        channel = new PeerChannel(peer);
        channel.pipeline().addLast(initializer);
        channel.freezeTime();
    }

    private final CollectorInitializer initializer;

    /** A second connection to the same collector (shared budgets, shared state). */
    EmbeddedChannel anotherConnection() {
        EmbeddedChannel other = new PeerChannel(new InetSocketAddress("203.0.113.8", 51001));
        other.pipeline().addLast(initializer);
        other.freezeTime();
        return other;
    }

    /** An embedded channel that reports a real-looking peer address, as a socket would. */
    private static final class PeerChannel extends EmbeddedChannel {
        private final SocketAddress peer;

        PeerChannel(SocketAddress peer) {
            super();
            this.peer = peer;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return peer;
        }
    }

    void send(String raw) {
        send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] raw) {
        channel.writeInbound(Unpooled.wrappedBuffer(raw));
        settle();
    }

    void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        settle();
    }

    void settle() {
        channel.runPendingTasks();
        channel.runScheduledPendingTasks();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            received.writeBytes(bytes);
            out.release();
        }
        // Inbound messages are all consumed by the handler; anything left would be a leak in the pipeline.
        Object leftover;
        while ((leftover = channel.readInbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(leftover);
        }
    }

    /** Every byte written to the client so far, unparsed (a HEAD answer has a Content-Length but no body). */
    byte[] outbound() {
        settle();
        return received.toByteArray();
    }

    /** All responses written so far, parsed in order. */
    List<Response> responses() {
        settle();
        return Response.parseAll(received.toByteArray());
    }

    Response only() {
        List<Response> all = responses();
        if (all.size() != 1) {
            throw new AssertionError("expected one response, got " + all.size() + ": " + all);
        }
        return all.get(0);
    }

    boolean open() {
        return channel.isOpen();
    }

    double counter(String name, String... tags) {
        var search = registry.find(name);
        if (tags.length > 0) {
            search = search.tags(tags);
        }
        var c = search.counter();
        return c == null ? 0 : c.count();
    }

    static String post(String path, String contentType, String body) {
        return post(path, contentType, body.getBytes(StandardCharsets.UTF_8), "");
    }

    static String post(String path, String contentType, byte[] body, String extraHeaders) {
        return "POST " + path + " HTTP/1.1\r\nHost: c\r\n" + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + extraHeaders + "Content-Length: " + body.length + "\r\n\r\n" + new String(body, StandardCharsets.ISO_8859_1);
    }

    static String request(String method, String path, String headers) {
        return method + " " + path + " HTTP/1.1\r\nHost: c\r\n" + headers + "\r\n";
    }

    /** One HTTP response as bytes on the wire. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        static List<Response> parseAll(byte[] bytes) {
            List<Response> out = new ArrayList<>();
            String all = new String(bytes, StandardCharsets.ISO_8859_1);
            int at = 0;
            while (at < all.length()) {
                int end = all.indexOf("\r\n\r\n", at);
                if (end < 0) {
                    throw new AssertionError("truncated response: " + all.substring(at));
                }
                String[] lines = all.substring(at, end).split("\r\n");
                int status = Integer.parseInt(lines[0].split(" ")[1]);
                Map<String, String> headers = new LinkedHashMap<>();
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
                int length = headers.containsKey("content-length") ? Integer.parseInt(headers.get("content-length")) : 0;
                byte[] body = all.substring(end + 4, end + 4 + length).getBytes(StandardCharsets.ISO_8859_1);
                out.add(new Response(status, headers, body));
                at = end + 4 + length;
            }
            return out;
        }
    }
}
