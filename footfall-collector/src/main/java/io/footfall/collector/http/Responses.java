package io.footfall.collector.http;

import io.footfall.collector.decode.DecodedBatch;
import io.footfall.core.json.Json;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds the collector's responses: JSON bodies, CORS and security headers on every one. */
public final class Responses {

    private Responses() {
    }

    public static FullHttpResponse json(int status, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return withCommonHeaders(response);
    }

    public static FullHttpResponse text(int status, String contentType, String body) {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return withCommonHeaders(response);
    }

    public static FullHttpResponse empty(int status) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return withCommonHeaders(response);
    }

    /** {@code {"error": "...", "detail": "..."}}. */
    public static FullHttpResponse error(int status, String error, String detail) {
        return json(status, Json.toBytes(g -> {
            g.writeStartObject();
            g.writeStringField("error", error);
            g.writeStringField("detail", detail);
            g.writeEndObject();
        }));
    }

    /** 503 with Retry-After: the honest answer when the stream cannot take more now. */
    public static FullHttpResponse unavailable(String error, String detail) {
        FullHttpResponse response = error(503, error, detail);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        return response;
    }

    /** {@code {"accepted": n, "rejected": [{"index": i, "error": "..."}]}}. */
    public static FullHttpResponse accepted(int accepted, List<DecodedBatch.Rejection> rejected) {
        if (rejected.isEmpty()) {
            // The common answer, without a JSON generator: one small string per request.
            return json(202, ("{\"accepted\":" + accepted + ",\"rejected\":[]}").getBytes(StandardCharsets.US_ASCII));
        }
        return json(202, Json.toBytes(g -> {
            g.writeStartObject();
            g.writeNumberField("accepted", accepted);
            g.writeArrayFieldStart("rejected");
            for (DecodedBatch.Rejection r : rejected) {
                g.writeStartObject();
                g.writeNumberField("index", r.index());
                g.writeStringField("error", r.reason());
                g.writeStringField("detail", r.detail());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    /** 429 with Retry-After: this client sends faster than {@code collector.rateLimitPerSecond}. */
    public static FullHttpResponse tooManyRequests(long retryAfterSeconds) {
        FullHttpResponse response = error(429, "rate_limited", "too many requests from this client; retry later");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        return response;
    }

    /** 405 naming the methods the resource has. */
    public static FullHttpResponse methodNotAllowed(String allow) {
        FullHttpResponse response = error(405, "method_not_allowed", "allowed methods: " + allow);
        response.headers().set(HttpHeaderNames.ALLOW, allow);
        return response;
    }

    /** The transparent 1×1 GIF of {@code /v1/p.gif}, never cached so every view reaches the collector. */
    public static FullHttpResponse pixel() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(PIXEL));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "image/gif")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, PIXEL.length);
        withCommonHeaders(response);
        response.headers()
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-store, must-revalidate, max-age=0")
                .set(HttpHeaderNames.PRAGMA, "no-cache")
                .set(HttpHeaderNames.EXPIRES, "0");
        return response;
    }

    /** The tracker script, or 304 when the client's copy is current; cacheable for an hour, revalidated by ETag. */
    public static FullHttpResponse script(byte[] body, boolean gzipped, String etag, boolean notModified) {
        FullHttpResponse response = notModified
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED)
                : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        withCommonHeaders(response);
        response.headers()
                .set(HttpHeaderNames.ETAG, etag)
                .set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=3600")
                .set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
        if (notModified) {
            response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            return response;
        }
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/javascript; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (gzipped) {
            response.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        }
        return response;
    }

    /** 43 bytes of GIF89a: one transparent pixel. */
    private static final byte[] PIXEL = {
            0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, (byte) 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x21, (byte) 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c,
            0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

    private static FullHttpResponse withCommonHeaders(FullHttpResponse response) {
        response.headers()
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .set("X-Content-Type-Options", "nosniff")
                // The script and the pixel load on other sites' pages, also those that isolate themselves
                // (Cross-Origin-Embedder-Policy: require-corp).
                .set("Cross-Origin-Resource-Policy", "cross-origin")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }
}
