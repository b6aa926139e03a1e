package io.footfall.core.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.footfall.core.event.EventType;
import io.footfall.core.event.RawEvent;
import java.io.IOException;

/** The JSON form of {@link RawEvent} on the topic {@code footfall.raw}. */
public final class RawEventJson {

    private RawEventJson() {
    }

    public static byte[] encode(RawEvent e) {
        return Json.toBytes(g -> {
            g.writeStartObject();
            Json.writeOptional(g, "event_id", e.eventId());
            g.writeStringField("site", e.site());
            g.writeStringField("type", e.type().wireName());
            Json.writeOptional(g, "name", e.name());
            Json.writeOptional(g, "url", e.url());
            Json.writeOptional(g, "referrer", e.referrer());
            Json.writeOptional(g, "title", e.title());
            Json.writeOptional(g, "client_ts", e.clientTs());
            Json.writeOptional(g, "visitor_id", e.visitorId());
            Json.writeOptional(g, "screen", e.screen());
            Json.writeOptional(g, "language", e.language());
            Json.writeOptional(g, "timezone", e.timezone());
            if (e.props() != null) {
                g.writeFieldName("props");
                g.writeRawValue(e.props());
            }
            g.writeNumberField("received_at", e.receivedAt());
            Json.writeOptional(g, "ip", e.clientIp());
            Json.writeOptional(g, "ua", e.userAgent());
            g.writeEndObject();
        });
    }

    /**
     * @throws IOException when the bytes are not a raw event (broken JSON, wrong types); the enricher
     *                     sends such records to {@code footfall.bad}
     */
    public static RawEvent decode(byte[] bytes) throws IOException {
        try (JsonParser p = Json.FACTORY.createParser(bytes)) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT);
            String eventId = null, site = null, name = null, url = null, referrer = null, title = null;
            String visitorId = null, screen = null, language = null, timezone = null, props = null;
            String ip = null, ua = null;
            EventType type = null;
            Long clientTs = null;
            long receivedAt = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "event_id" -> eventId = string(p, value);
                    case "site" -> site = string(p, value);
                    case "type" -> type = EventType.fromWire(string(p, value));
                    case "name" -> name = string(p, value);
                    case "url" -> url = string(p, value);
                    case "referrer" -> referrer = string(p, value);
                    case "title" -> title = string(p, value);
                    case "client_ts" -> clientTs = number(p, value);
                    case "visitor_id" -> visitorId = string(p, value);
                    case "screen" -> screen = string(p, value);
                    case "language" -> language = string(p, value);
                    case "timezone" -> timezone = string(p, value);
                    case "props" -> props = object(p, value);
                    case "received_at" -> receivedAt = number(p, value);
                    case "ip" -> ip = string(p, value);
                    case "ua" -> ua = string(p, value);
                    default -> p.skipChildren();
                }
            }
            return new RawEvent(eventId, site, type, name, url, referrer, title, clientTs, visitorId, screen,
                    language, timezone, props, receivedAt, ip, ua);
        }
    }

    static String string(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, value, JsonToken.VALUE_STRING);
        return p.getText();
    }

    static Long number(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, value, JsonToken.VALUE_NUMBER_INT);
        return p.getLongValue();
    }

    static boolean bool(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
            return value == JsonToken.VALUE_TRUE;
        }
        throw new IOException("expected a boolean at " + p.currentName());
    }

    /** A nested object as compact JSON text. */
    static String object(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, value, JsonToken.START_OBJECT);
        java.io.StringWriter out = new java.io.StringWriter(64);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.copyCurrentStructure(p);
        }
        return out.toString();
    }

    static void expect(JsonParser p, JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + " but found " + actual + " at " + p.currentName());
        }
    }
}
