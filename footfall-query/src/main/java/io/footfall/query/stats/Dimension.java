package io.footfall.query.stats;

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
    EVENT_NAME("event_name", "name", Kind.CUSTOM_EVENT);

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
        SESSION_EXIT
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
            case PAGEVIEW, CUSTOM_EVENT -> null;
        };
    }

    boolean isSessionLevel() {
        return kind == Kind.SESSION_ENTRY || kind == Kind.SESSION_EXIT;
    }

    public static Dimension fromWire(String parameter, String value) throws BadParameterException {
        for (Dimension d : values()) {
            if (d.wireName.equals(value)) {
                return d;
            }
        }
        throw new BadParameterException(parameter, "unknown dimension '" + value + "'; one of " + names());
    }

    static String names() {
        return Arrays.stream(values()).map(d -> d.wireName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return wireName.toLowerCase(Locale.ROOT);
    }
}
