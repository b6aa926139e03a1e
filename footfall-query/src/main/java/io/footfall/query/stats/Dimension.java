package io.footfall.query.stats;

import io.footfall.core.event.EventRules;
import io.footfall.query.http.BadParameterException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The dimensions the API groups and filters by. This enum is the whitelist: a column name only ever
 * reaches SQL from here, never from a request.
 */
public enum Dimension {
    PATH("path", "path", Kind.PAGEVIEW),
    ENTRY_PAGE("entry_page", "path", Kind.SESSION_ENTRY),
    EXIT_PAGE("exit_page", "path", Kind.SESSION_EXIT),
    /**
     * The traffic source by name, one row per source ({@code Google} for all of Google's hosts): the enricher's
     * {@code referrer_source}. Null for direct and internal visits, and on rows stored before
     * pipeline version 5.
     */
    SOURCE("source", "referrer_source", Kind.EVENT),
    REFERRER_HOST("referrer_host", "referrer_host", Kind.EVENT),
    REFERRER_TYPE("referrer_type", "referrer_type", Kind.EVENT),
    UTM_SOURCE("utm_source", "utm_source", Kind.EVENT),
    UTM_MEDIUM("utm_medium", "utm_medium", Kind.EVENT),
    UTM_CAMPAIGN("utm_campaign", "utm_campaign", Kind.EVENT),
    COUNTRY("country", "country", Kind.EVENT),
    REGION("region", "region", Kind.EVENT),
    CITY("city", "city", Kind.EVENT),
    BROWSER("browser", "browser", Kind.EVENT),
    OS("os", "os", Kind.EVENT),
    DEVICE_TYPE("device_type", "device_type", Kind.EVENT),
    SCREEN("screen", "screen", Kind.EVENT),
    LANGUAGE("language", "language", Kind.EVENT),
    EVENT_NAME("event_name", "name", Kind.CUSTOM_EVENT),
    /** The keys of the custom properties ({@code props}) events carry; a top list only. */
    PROP_KEY("prop", "props", Kind.PROP_KEY),
    /** One custom property's values, {@code prop:<key>}; the key travels beside it and is always a bound parameter. */
    PROP("prop:", "props", Kind.PROP);

    /** The wire prefix of a custom property's dimension. */
    static final String PROP_PREFIX = "prop:";

    /** How a dimension relates to the rows: a plain column, or a property of the session a row belongs to. */
    enum Kind {
        /** A column of every event. */
        EVENT,
        /** A column of page views only: top lists count page views. */
        PAGEVIEW,
        /** A column of custom events only. */
        CUSTOM_EVENT,
        /** The path of a session's first page view in the range. */
        SESSION_ENTRY,
        /** The path of a session's last page view in the range. */
        SESSION_EXIT,
        /** The keys of an event's {@code props}. */
        PROP_KEY,
        /** The value of one key of an event's {@code props}, as text. */
        PROP
    }

    private final String wireName;
    private final String column;
    private final Kind kind;

    Dimension(String wireName, String column, Kind kind) {
        this.wireName = wireName;
        this.column = column;
        this.kind = kind;
    }

    public String wireName() {
        return wireName;
    }

    String column() {
        return column;
    }

    Kind kind() {
        return kind;
    }

    /**
     * The column of the sessions rollup that holds this dimension (a session's entry or exit page, or its
     * first event's value), or null when only the events table can answer (page paths, event names).
     */
    String sessionColumn() {
        return switch (kind) {
            case SESSION_ENTRY -> "entry_path";
            case SESSION_EXIT -> "exit_path";
            case EVENT -> column;
            case PAGEVIEW, CUSTOM_EVENT, PROP_KEY, PROP -> null;
        };
    }

    /** Whether the summaries of finished hours and days ({@link SketchCache}) can answer this dimension's list. */
    boolean summarisable() {
        return kind != Kind.PROP_KEY && kind != Kind.PROP;
    }

    boolean isSessionLevel() {
        return kind == Kind.SESSION_ENTRY || kind == Kind.SESSION_EXIT;
    }

    /**
     * The dimension a wire name stands for; {@code prop:<key>} is {@link #PROP}, whose key {@link #propKey} reads.
     */
    public static Dimension fromWire(String parameter, String value) throws BadParameterException {
        if (value.startsWith(PROP_PREFIX)) {
            return PROP;
        }
        for (Dimension d : values()) {
            if (d.wireName.equals(value)) {
                return d;
            }
        }
        // A filter names one property's value (prop:<key>), never the list of keys.
        throw new BadParameterException(parameter, "unknown dimension '" + value + "'; one of " + names(!parameter.equals("filters")));
    }

    /**
     * The key of a {@code prop:<key>} dimension: 1 to 64 characters, as the collector accepts in {@code props}.
     *
     * @param key the text after {@code prop:}, unescaped
     */
    static String propKey(String parameter, String key) throws BadParameterException {
        if (key.isEmpty() || key.length() > EventRules.MAX_PROP_KEY_CHARS) {
            throw new BadParameterException(parameter, "a custom property is 'prop:<key>' with a key of 1 to "
                    + EventRules.MAX_PROP_KEY_CHARS + " characters");
        }
        return key;
    }

    static String names() {
        return names(true);
    }

    /** @param withKeyList whether {@code prop}, the list of custom properties' keys, is one: a top list's, not a filter's */
    private static String names(boolean withKeyList) {
        return Arrays.stream(values()).filter(d -> withKeyList || d != PROP_KEY)
                .map(d -> d == PROP ? PROP_PREFIX + "<key>" : d.wireName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return wireName.toLowerCase(Locale.ROOT);
    }
}
