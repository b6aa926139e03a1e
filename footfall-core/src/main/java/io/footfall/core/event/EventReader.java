package io.footfall.core.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.footfall.core.json.Json;
import java.io.IOException;
import java.io.StringWriter;

/**
 * Reads one client event (a JSON object) from a streaming parser, in one pass and without building a
 * tree. The whole object is always consumed, valid or not, so the next event of an array can follow.
 *
 * <p>{@link IOException} means the JSON itself is broken (the body cannot be read on);
 * {@link InvalidEventException} means this one event breaks the contract.
 */
public final class EventReader {

    private EventReader() {
    }

    /**
     * @param parser     positioned on the event's {@code START_OBJECT}; left on its {@code END_OBJECT}
     * @param receivedAt receive time, to judge a client time
     */
    public static RawEvent read(JsonParser parser, long receivedAt) throws IOException, InvalidEventException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            throw new InvalidEventException("not_an_object", "an event must be a JSON object");
        }
        Fields fields = new Fields();
        InvalidEventException firstError = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            try {
                fields.read(field, parser, receivedAt);
            } catch (InvalidEventException e) {
                parser.skipChildren();
                if (firstError == null) {
                    firstError = e;
                }
            }
        }
        if (firstError != null) {
            throw firstError;
        }
        return fields.build();
    }

    /** The fields seen so far of one event. */
    private static final class Fields {
        private String eventId;
        private String site;
        private String type;
        private String name;
        private String url;
        private String referrer;
        private String title;
        private Long clientTs;
        private String visitorId;
        private String screen;
        private String language;
        private String timezone;
        private String props;
        private String userAgent;
        private int seen;

        void read(String field, JsonParser parser, long receivedAt) throws IOException, InvalidEventException {
            int bit = bit(field);
            if (bit != 0) {
                if ((seen & bit) != 0) {
                    throw new InvalidEventException("duplicate_key", "field '" + field + "' appears twice");
                }
                seen |= bit;
            }
            switch (field) {
                case "event_id" -> eventId = EventRules.eventId(text(parser, field));
                case "site" -> site = text(parser, field);
                case "type" -> type = text(parser, field);
                case "name" -> name = text(parser, field);
                case "url" -> url = EventRules.url("url", text(parser, field));
                case "referrer" -> referrer = EventRules.referrer(text(parser, field));
                case "title" -> title = EventRules.title(text(parser, field));
                case "ts" -> clientTs = timestamp(parser, receivedAt);
                case "visitor_id" -> visitorId = EventRules.visitorId(text(parser, field));
                case "screen" -> screen = EventRules.screen(text(parser, field));
                case "language" -> language = EventRules.language(text(parser, field));
                case "timezone" -> timezone = EventRules.timezone(text(parser, field));
                case "props" -> props = props(parser);
                case "user_agent" -> userAgent = EventRules.userAgent(text(parser, field));
                default -> parser.skipChildren(); // unknown fields are ignored: newer trackers may send more
            }
        }

        RawEvent build() throws InvalidEventException {
            EventRules.site(site);
            EventType eventType = EventRules.type(type);
            EventRules.name(eventType, name);
            return new RawEvent(eventId, site, eventType, name, url, referrer, title, clientTs, visitorId,
                    screen, language, timezone, props, 0L, null, userAgent);
        }

        private static int bit(String field) {
            return switch (field) {
                case "event_id" -> 1;
                case "site" -> 1 << 1;
                case "type" -> 1 << 2;
                case "name" -> 1 << 3;
                case "url" -> 1 << 4;
                case "referrer" -> 1 << 5;
                case "title" -> 1 << 6;
                case "ts" -> 1 << 7;
                case "visitor_id" -> 1 << 8;
                case "screen" -> 1 << 9;
                case "language" -> 1 << 10;
                case "timezone" -> 1 << 11;
                case "props" -> 1 << 12;
                case "user_agent" -> 1 << 13;
                default -> 0;
            };
        }
    }

    private static String text(JsonParser parser, String field) throws IOException, InvalidEventException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_STRING) {
            throw new InvalidEventException("invalid_" + field, field + " must be a string");
        }
        String text = parser.getText();
        if (!wellFormed(text)) {
            throw new InvalidEventException("invalid_" + field, field + " holds a lone surrogate (U+D800 to U+DFFF)");
        }
        return text;
    }

    /**
     * False when the text holds a lone UTF-16 surrogate, which JSON escapes of U+D800 to U+DFFF can smuggle in.
     * Such a string is not Unicode text: it cannot be encoded as UTF-8, so the raw topic could not carry it.
     */
    static boolean wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < Character.MIN_SURROGATE) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static Long timestamp(JsonParser parser, long receivedAt) throws IOException, InvalidEventException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token == JsonToken.VALUE_NUMBER_INT) {
            if (parser.getNumberType() != JsonParser.NumberType.INT
                    && parser.getNumberType() != JsonParser.NumberType.LONG) {
                throw new InvalidEventException("invalid_ts", "ts is out of range");
            }
            return EventRules.clientTs(parser.getLongValue(), receivedAt);
        }
        if (token == JsonToken.VALUE_STRING) {
            return EventRules.clientTs(EventRules.clientTs(parser.getText()), receivedAt);
        }
        throw new InvalidEventException("invalid_ts", "ts must be ISO-8601 text or epoch milliseconds");
    }

    /** Copies a flat object of string/number/boolean values into compact JSON text. */
    private static String props(JsonParser parser) throws IOException, InvalidEventException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.START_OBJECT) {
            throw new InvalidEventException("invalid_props", "props must be an object");
        }
        try {
            return copyProps(parser);
        } catch (InvalidEventException e) {
            skipRestOfObject(parser);
            throw e;
        }
    }

    /** After an error inside an object: consumes the rest of it, leaving the parser on its END_OBJECT. */
    private static void skipRestOfObject(JsonParser parser) throws IOException {
        parser.skipChildren();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_OBJECT && token != null) {
            parser.nextToken();
            parser.skipChildren();
        }
    }

    private static String copyProps(JsonParser parser) throws IOException, InvalidEventException {
        StringWriter out = new StringWriter(64);
        java.util.Set<String> keys = new java.util.HashSet<>();
        try (JsonGenerator generator = Json.FACTORY.createGenerator(out)) {
            generator.writeStartObject();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonToken value = parser.nextToken();
                if (key.isEmpty() || key.length() > EventRules.MAX_PROP_KEY_CHARS || !wellFormed(key)) {
                    throw new InvalidEventException("invalid_props", "props keys must be 1 to 64 characters of text");
                }
                if (!keys.add(key)) {
                    throw new InvalidEventException("invalid_props", "props key '" + key + "' appears twice");
                }
                if (keys.size() > EventRules.MAX_PROPS) {
                    throw new InvalidEventException("invalid_props", "props may have at most 32 keys");
                }
                generator.writeFieldName(key);
                copyScalar(parser, value, generator);
            }
            generator.writeEndObject();
        }
        return out.toString();
    }

    private static void copyScalar(JsonParser parser, JsonToken value, JsonGenerator generator)
            throws IOException, InvalidEventException {
        switch (value) {
            case VALUE_STRING -> {
                String text = parser.getText();
                if (text.length() > EventRules.MAX_PROP_VALUE_CHARS) {
                    throw new InvalidEventException("invalid_props", "props values must be at most 1024 characters");
                }
                if (!wellFormed(text)) {
                    throw new InvalidEventException("invalid_props", "a props value holds a lone surrogate");
                }
                generator.writeString(text);
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                String text = parser.getText();
                if (!EventRules.isStorableNumber(text)) {
                    throw new InvalidEventException("invalid_props",
                            "props numbers must be within a double's range (about ±1.8e308, and 0 or beyond ±4.9e-324)");
                }
                generator.writeNumber(text);
            }
            case VALUE_TRUE, VALUE_FALSE -> generator.writeBoolean(value == JsonToken.VALUE_TRUE);
            default -> throw new InvalidEventException("invalid_props",
                    "props values must be strings, numbers or booleans");
        }
    }
}
