package io.footfall.collector.pixel;

import io.footfall.collector.decode.RequestRejected;
import io.footfall.core.json.Json;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/**
 * The query of {@code GET /v1/p.gif?site=..&url=..&ref=..} as the JSON event a script would have sent,
 * so the pixel goes through exactly the same validation as every other event.
 *
 * <p>Parameter names are short because they live in page markup: {@code site}, {@code type} (default
 * {@code pageview}), {@code name}, {@code url}, {@code ref}, {@code title}, {@code screen}, {@code lang},
 * {@code tz}, {@code eid} (event id). Others are ignored; repeated ones count once (the first).
 */
public final class PixelQuery {

    /** More than the ten names above; a longer query is read only this far. */
    private static final int MAX_PARAMS = 32;

    private static final String[][] FIELDS = {
            {"eid", "event_id"}, {"site", "site"}, {"type", "type"}, {"name", "name"}, {"url", "url"},
            {"ref", "referrer"}, {"title", "title"}, {"screen", "screen"}, {"lang", "language"}, {"tz", "timezone"},
    };

    private PixelQuery() {
    }

    /**
     * The event as JSON bytes, ready for the body decoder.
     *
     * @throws RequestRejected 400 {@code malformed_request} when the query is not valid percent-encoding
     */
    public static byte[] toJson(String uri) throws RequestRejected {
        Map<String, List<String>> params;
        try {
            // A ';' is a character of the value, as in browsers and the WHATWG URL rules (url=...;jsessionid=...),
            // not a second separator
            params = new QueryStringDecoder(uri, java.nio.charset.StandardCharsets.UTF_8, true, MAX_PARAMS, true).parameters();
        } catch (IllegalArgumentException e) {
            throw new RequestRejected(400, "malformed_request", "the query string is not valid percent-encoding");
        }
        return Json.toBytes(g -> {
            g.writeStartObject();
            for (String[] field : FIELDS) {
                List<String> values = params.get(field[0]);
                if (values != null && !values.isEmpty()) {
                    g.writeStringField(field[1], values.get(0));
                } else if (field[0].equals("type")) {
                    g.writeStringField("type", "pageview");
                }
            }
            g.writeEndObject();
        });
    }
}
