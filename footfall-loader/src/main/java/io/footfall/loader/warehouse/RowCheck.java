package io.footfall.loader.warehouse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
        if (e.props() != null && !isJsonObject(e.props())) {
            return "invalid_props_json";
        }
        if (dialect == Dialect.POSTGRES && hasNul(e)) {
            // PostgreSQL text and jsonb cannot hold U+0000; DuckDB can.
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

    private static boolean isJsonObject(String text) {
        try (JsonParser p = Json.FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean hasNul(StoredEvent e) {
        for (String s : new String[]{e.site(), e.type(), e.name(), e.url(), e.host(), e.path(), e.query(), e.title(),
                e.referrer(), e.referrerHost(), e.referrerType(), e.utmSource(), e.utmMedium(), e.utmCampaign(),
                e.utmTerm(), e.utmContent(), e.visitorId(), e.sessionId(), e.browser(), e.browserVersion(), e.os(),
                e.osVersion(), e.deviceType(), e.country(), e.region(), e.city(), e.screen(), e.language(),
                e.timezone(), e.props(), e.pipelineVersion()}) {
            if (s != null && s.indexOf('\u0000') >= 0) {
                return true;
            }
        }
        return false;
    }
}
