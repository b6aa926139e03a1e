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

    private static FullHttpResponse withCommonHeaders(FullHttpResponse response) {
        response.headers()
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .set("X-Content-Type-Options", "nosniff")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }
}
