package io.footfall.core.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.footfall.core.event.StoredEvent;
import java.io.IOException;

/** The JSON form of {@link StoredEvent} on the topic {@code footfall.events}; names are the column names. */
public final class StoredEventJson {

    private StoredEventJson() {
    }

    public static byte[] encode(StoredEvent e) {
        return Json.toBytes(g -> {
            g.writeStartObject();
            g.writeStringField("event_id", e.eventId());
            g.writeStringField("site", e.site());
            g.writeStringField("type", e.type());
            Json.writeOptional(g, "name", e.name());
            g.writeNumberField("received_at", e.receivedAt());
            Json.writeOptional(g, "client_ts", e.clientTs());
            Json.writeOptional(g, "url", e.url());
            Json.writeOptional(g, "host", e.host());
            Json.writeOptional(g, "path", e.path());
            Json.writeOptional(g, "query", e.query());
            Json.writeOptional(g, "title", e.title());
            Json.writeOptional(g, "referrer", e.referrer());
            Json.writeOptional(g, "referrer_host", e.referrerHost());
            Json.writeOptional(g, "referrer_type", e.referrerType());
            Json.writeOptional(g, "utm_source", e.utmSource());
            Json.writeOptional(g, "utm_medium", e.utmMedium());
            Json.writeOptional(g, "utm_campaign", e.utmCampaign());
            Json.writeOptional(g, "utm_term", e.utmTerm());
            Json.writeOptional(g, "utm_content", e.utmContent());
            Json.writeOptional(g, "visitor_id", e.visitorId());
            Json.writeOptional(g, "session_id", e.sessionId());
            g.writeNumberField("session_seq", e.sessionSeq());
            g.writeBooleanField("is_new_session", e.isNewSession());
            Json.writeOptional(g, "browser", e.browser());
            Json.writeOptional(g, "browser_version", e.browserVersion());
            Json.writeOptional(g, "os", e.os());
            Json.writeOptional(g, "os_version", e.osVersion());
            Json.writeOptional(g, "device_type", e.deviceType());
            g.writeBooleanField("is_bot", e.isBot());
            Json.writeOptional(g, "country", e.country());
            Json.writeOptional(g, "region", e.region());
            Json.writeOptional(g, "city", e.city());
            Json.writeOptional(g, "screen", e.screen());
            Json.writeOptional(g, "language", e.language());
            Json.writeOptional(g, "timezone", e.timezone());
            if (e.props() != null) {
                g.writeFieldName("props");
                g.writeRawValue(e.props());
            }
            Json.writeOptional(g, "pipeline_version", e.pipelineVersion());
            g.writeEndObject();
        });
    }

    public static StoredEvent decode(byte[] bytes) throws IOException {
        try (JsonParser p = Json.FACTORY.createParser(bytes)) {
            RawEventJson.expect(p, p.nextToken(), JsonToken.START_OBJECT);
            String[] s = new String[StoredEvent.COLUMNS.size()];
            long receivedAt = 0;
            Long clientTs = null;
            int sessionSeq = 0;
            boolean isNewSession = false;
            boolean isBot = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "received_at" -> receivedAt = RawEventJson.number(p, value);
                    case "client_ts" -> clientTs = RawEventJson.number(p, value);
                    case "session_seq" -> sessionSeq = RawEventJson.number(p, value).intValue();
                    case "is_new_session" -> isNewSession = RawEventJson.bool(p, value);
                    case "is_bot" -> isBot = RawEventJson.bool(p, value);
                    case "props" -> s[35] = RawEventJson.object(p, value);
                    default -> {
                        int column = StoredEvent.COLUMNS.indexOf(field);
                        if (column >= 0) {
                            s[column] = RawEventJson.string(p, value);
                        } else {
                            p.skipChildren();
                        }
                    }
                }
            }
            if (s[0] == null || s[1] == null || s[2] == null) {
                throw new IOException("a stored event needs event_id, site and type");
            }
            return new StoredEvent(s[0], s[1], s[2], s[3], receivedAt, clientTs, s[6], s[7], s[8], s[9], s[10],
                    s[11], s[12], s[13], s[14], s[15], s[16], s[17], s[18], s[19], s[20], sessionSeq,
                    isNewSession, s[23], s[24], s[25], s[26], s[27], isBot, s[29], s[30], s[31], s[32], s[33],
                    s[34], s[35], s[36]);
        }
    }
}
