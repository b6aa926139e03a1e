package io.footfall.core.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.footfall.core.event.BadEvent;
import java.io.IOException;

/** The JSON form of {@link BadEvent} on the topic {@code footfall.bad}. */
public final class BadEventJson {

    private BadEventJson() {
    }

    public static byte[] encode(BadEvent e) {
        return Json.toBytes(g -> {
            g.writeStartObject();
            g.writeStringField("stage", e.stage());
            g.writeStringField("reason", e.reason());
            Json.writeOptional(g, "detail", e.detail());
            Json.writeOptional(g, "site", e.site());
            Json.writeOptional(g, "payload", e.payload());
            g.writeNumberField("received_at", e.receivedAt());
            g.writeEndObject();
        });
    }

    public static BadEvent decode(byte[] bytes) throws IOException {
        try (JsonParser p = Json.FACTORY.createParser(bytes)) {
            RawEventJson.expect(p, p.nextToken(), JsonToken.START_OBJECT);
            String stage = null, reason = null, detail = null, site = null, payload = null;
            long receivedAt = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "stage" -> stage = RawEventJson.string(p, value);
                    case "reason" -> reason = RawEventJson.string(p, value);
                    case "detail" -> detail = RawEventJson.string(p, value);
                    case "site" -> site = RawEventJson.string(p, value);
                    case "payload" -> payload = RawEventJson.string(p, value);
                    case "received_at" -> receivedAt = RawEventJson.number(p, value);
                    default -> p.skipChildren();
                }
            }
            return new BadEvent(stage, reason, detail, site, payload, receivedAt);
        }
    }
}
