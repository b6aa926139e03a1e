package io.footfall.query.http;

import com.sun.net.httpserver.HttpExchange;
import io.footfall.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers for the query server's JDK HTTP exchanges: parameters in, JSON out. */
public final class Exchanges {

    private Exchanges() {
    }

    /** For an endpoint without parameters: a request that gives one is told so rather than ignored. */
    public static void noParams(HttpExchange exchange) throws BadParameterException {
        Map<String, String> params = params(exchange);
        if (!params.isEmpty()) {
            throw new BadParameterException(params.keySet().iterator().next(),
                    "unknown parameter; " + exchange.getRequestURI().getPath() + " takes none");
        }
    }

    /**
     * The query parameters. A parameter given twice is refused: keeping one of them silently (a second
     * {@code filters}, a second {@code site}) would answer with numbers for something else than was asked.
     */
    public static Map<String, String> params(HttpExchange exchange) throws BadParameterException {
        Map<String, String> out = new LinkedHashMap<>();
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return out;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (value.indexOf('\u0000') >= 0) {
                // No parameter can hold one, and PostgreSQL refuses it in any text it is sent.
                throw new BadParameterException(key, "must not contain a NUL character (%00)");
            }
            if (out.putIfAbsent(key, value) != null) {
                throw new BadParameterException(key, "given more than once; give it once"
                        + (key.equals("filters") ? " and join conditions with ;" : ""));
            }
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    public static void json(HttpExchange exchange, int status, Json.Writer writer) throws IOException {
        send(exchange, status, "application/json", Json.toBytes(writer));
    }

    public static void error(HttpExchange exchange, int status, String error, String detail) throws IOException {
        json(exchange, status, g -> {
            g.writeStartObject();
            g.writeStringField("error", error);
            g.writeStringField("detail", detail);
            g.writeEndObject();
        });
    }

    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }
}
