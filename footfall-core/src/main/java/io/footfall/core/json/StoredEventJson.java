package io.footfall.core.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import io.footfall.core.event.StoredEvent;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The JSON form of {@link StoredEvent} on the topic {@code footfall.events}; names are the column names. A null
 * field is left out, and a field a record lacks decodes as null: records written before a column existed
 * ({@code referrer_source}, pipeline version 4 and older) still load.
 */
public final class StoredEventJson {

    /*
     * The field names, quoted and encoded once: a generator writes such a name as bytes, where a String name is
     * escaped again for every event (about half of encoding time, with 38 fields).
     */
    private static final SerializedString EVENT_ID = column("event_id");
    private static final SerializedString SITE = column("site");
    private static final SerializedString TYPE = column("type");
    private static final SerializedString NAME = column("name");
    private static final SerializedString RECEIVED_AT = column("received_at");
    private static final SerializedString CLIENT_TS = column("client_ts");
    private static final SerializedString URL = column("url");
    private static final SerializedString HOST = column("host");
    private static final SerializedString PATH = column("path");
    private static final SerializedString QUERY = column("query");
    private static final SerializedString TITLE = column("title");
    private static final SerializedString REFERRER = column("referrer");
    private static final SerializedString REFERRER_HOST = column("referrer_host");
    private static final SerializedString REFERRER_TYPE = column("referrer_type");
    private static final SerializedString UTM_SOURCE = column("utm_source");
    private static final SerializedString UTM_MEDIUM = column("utm_medium");
    private static final SerializedString UTM_CAMPAIGN = column("utm_campaign");
    private static final SerializedString UTM_TERM = column("utm_term");
    private static final SerializedString UTM_CONTENT = column("utm_content");
    private static final SerializedString VISITOR_ID = column("visitor_id");
    private static final SerializedString SESSION_ID = column("session_id");
    private static final SerializedString SESSION_SEQ = column("session_seq");
    private static final SerializedString IS_NEW_SESSION = column("is_new_session");
    private static final SerializedString BROWSER = column("browser");
    private static final SerializedString BROWSER_VERSION = column("browser_version");
    private static final SerializedString OS = column("os");
    private static final SerializedString OS_VERSION = column("os_version");
    private static final SerializedString DEVICE_TYPE = column("device_type");
    private static final SerializedString IS_BOT = column("is_bot");
    private static final SerializedString COUNTRY = column("country");
    private static final SerializedString REGION = column("region");
    private static final SerializedString CITY = column("city");
    private static final SerializedString SCREEN = column("screen");
    private static final SerializedString LANGUAGE = column("language");
    private static final SerializedString TIMEZONE = column("timezone");
    private static final SerializedString PROPS = column("props");
    private static final SerializedString PIPELINE_VERSION = column("pipeline_version");
    private static final SerializedString REFERRER_SOURCE = column("referrer_source");

    /** Column positions by name, for the decoder. */
    private static final Map<String, Integer> COLUMN_INDEX = columnIndex();

    private static SerializedString column(String name) {
        if (!StoredEvent.COLUMNS.contains(name)) {
            throw new IllegalStateException(name + " is not a column");
        }
        return new SerializedString(name);
    }

    private StoredEventJson() {
    }

    private static Map<String, Integer> columnIndex() {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < StoredEvent.COLUMNS.size(); i++) {
            index.put(StoredEvent.COLUMNS.get(i), i);
        }
        return Map.copyOf(index);
    }

    public static byte[] encode(StoredEvent e) {
        return Json.toBytes(g -> {
            g.writeStartObject();
            g.writeFieldName(EVENT_ID);
            g.writeString(e.eventId());
            g.writeFieldName(SITE);
            g.writeString(e.site());
            g.writeFieldName(TYPE);
            g.writeString(e.type());
            Json.writeOptional(g, NAME, e.name());
            g.writeFieldName(RECEIVED_AT);
            g.writeNumber(e.receivedAt());
            Json.writeOptional(g, CLIENT_TS, e.clientTs());
            Json.writeOptional(g, URL, e.url());
            Json.writeOptional(g, HOST, e.host());
            Json.writeOptional(g, PATH, e.path());
            Json.writeOptional(g, QUERY, e.query());
            Json.writeOptional(g, TITLE, e.title());
            Json.writeOptional(g, REFERRER, e.referrer());
            Json.writeOptional(g, REFERRER_HOST, e.referrerHost());
            Json.writeOptional(g, REFERRER_TYPE, e.referrerType());
            Json.writeOptional(g, UTM_SOURCE, e.utmSource());
            Json.writeOptional(g, UTM_MEDIUM, e.utmMedium());
            Json.writeOptional(g, UTM_CAMPAIGN, e.utmCampaign());
            Json.writeOptional(g, UTM_TERM, e.utmTerm());
            Json.writeOptional(g, UTM_CONTENT, e.utmContent());
            Json.writeOptional(g, VISITOR_ID, e.visitorId());
            Json.writeOptional(g, SESSION_ID, e.sessionId());
            g.writeFieldName(SESSION_SEQ);
            g.writeNumber(e.sessionSeq());
            g.writeFieldName(IS_NEW_SESSION);
            g.writeBoolean(e.isNewSession());
            Json.writeOptional(g, BROWSER, e.browser());
            Json.writeOptional(g, BROWSER_VERSION, e.browserVersion());
            Json.writeOptional(g, OS, e.os());
            Json.writeOptional(g, OS_VERSION, e.osVersion());
            Json.writeOptional(g, DEVICE_TYPE, e.deviceType());
            g.writeFieldName(IS_BOT);
            g.writeBoolean(e.isBot());
            Json.writeOptional(g, COUNTRY, e.country());
            Json.writeOptional(g, REGION, e.region());
            Json.writeOptional(g, CITY, e.city());
            Json.writeOptional(g, SCREEN, e.screen());
            Json.writeOptional(g, LANGUAGE, e.language());
            Json.writeOptional(g, TIMEZONE, e.timezone());
            if (e.props() != null) {
                g.writeFieldName(PROPS);
                g.writeRawValue(e.props());
            }
            Json.writeOptional(g, PIPELINE_VERSION, e.pipelineVersion());
            Json.writeOptional(g, REFERRER_SOURCE, e.referrerSource());
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
                        Integer column = COLUMN_INDEX.get(field);
                        if (column != null) {
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
                    s[34], s[35], s[36], s[37]);
        }
    }
}
