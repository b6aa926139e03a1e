package io.footfall.loader.warehouse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.footfall.core.event.EventRules;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.json.Json;
import io.footfall.loader.schema.Dialect;
import java.io.IOException;
import java.util.UUID;

/**
 * The reasons a warehouse would reject a row, checked before the batch is staged. One bad row would
 * otherwise fail its whole batch on every retry and stall the partition: instead it goes to
 * {@code footfall.bad} (stage {@code load}) and the batch loads without it.
 */
public final class RowCheck {

    private RowCheck() {
    }

    /** @return a short reason such as {@code invalid_event_id}, or null when the row fits the table */
    public static String problem(StoredEvent e, Dialect dialect) {
        if (e.eventId() == null || !isUuid(e.eventId())) {
            return "invalid_event_id";
        }
        if (e.site() == null || e.type() == null) {
            return "missing_required_column";
        }
        if (e.props() != null) {
            String props = propsProblem(e.props(), dialect);
            if (props != null) {
                return props;
            }
        }
        if (dialect == Dialect.POSTGRES && (hasNul(e) || e.props() != null && hasNulEscape(e.props()))) {
            // PostgreSQL text and jsonb cannot hold U+0000, not even written as a JSON escape; DuckDB can.
            return "nul_character";
        }
        return null;
    }

    private static boolean isUuid(String id) {
        if (id.length() != 36) {
            return false;
        }
        try {
            UUID.fromString(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * {@code invalid_props_json} for text that is not one JSON object; on PostgreSQL {@code numeric_out_of_range}
     * for a number its jsonb refuses (events from before the collector checked them, or from other producers).
     */
    private static String propsProblem(String text, Dialect dialect) {
        boolean outOfRange = false;
        try (JsonParser p = Json.FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return "invalid_props_json";
            }
            int depth = 1;
            while (depth > 0) {
                JsonToken t = p.nextToken();
                if (t == null) {
                    return "invalid_props_json";
                }
                switch (t) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> depth--;
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> outOfRange |= dialect == Dialect.POSTGRES
                            && !EventRules.isStorableNumber(p.getText());
                    default -> {
                    }
                }
            }
            if (p.nextToken() != null) {
                return "invalid_props_json";
            }
        } catch (IOException e) {
            return "invalid_props_json";
        }
        return outOfRange ? "numeric_out_of_range" : null;
    }

    /**
     * Whether JSON text holds U+0000 as its escape, a backslash then {@code u0000} (JSON never holds it raw):
     * jsonb refuses it with "unsupported Unicode escape sequence". Each backslash starts an escape of the character
     * after it, so an escaped backslash followed by {@code u0000} is text, not the escape.
     */
    static boolean hasNulEscape(String json) {
        for (int i = json.indexOf('\\'); i >= 0; i = json.indexOf('\\', i + 2)) {
            if (json.startsWith("u0000", i + 1)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasNul(StoredEvent e) {
        for (String s : new String[]{e.site(), e.type(), e.name(), e.url(), e.host(), e.path(), e.query(), e.title(),
                e.referrer(), e.referrerHost(), e.referrerType(), e.utmSource(), e.utmMedium(), e.utmCampaign(),
                e.utmTerm(), e.utmContent(), e.visitorId(), e.sessionId(), e.browser(), e.browserVersion(), e.os(),
                e.osVersion(), e.deviceType(), e.country(), e.region(), e.city(), e.screen(), e.language(),
                e.timezone(), e.props(), e.pipelineVersion(), e.referrerSource()}) {
            if (s != null && s.indexOf('\u0000') >= 0) {
                return true;
            }
        }
        return false;
    }
}
