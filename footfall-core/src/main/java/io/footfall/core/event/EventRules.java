package io.footfall.core.event;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * The event contract (docs/collector.md, "Errors") as checks on single fields. Shared by the collector (first line of
 * defence, answers the client) and the enricher (second line, guards against anything else that writes
 * to the raw topic).
 */
public final class EventRules {

    public static final int MAX_NAME_CHARS = 128;
    public static final int MAX_URL_CHARS = 4096;
    public static final int MAX_TITLE_CHARS = 1024;
    public static final int MAX_VISITOR_ID_CHARS = 128;
    public static final int MAX_USER_AGENT_CHARS = 1024;
    public static final int MAX_PROPS = 32;
    public static final int MAX_PROP_KEY_CHARS = 64;
    public static final int MAX_PROP_VALUE_CHARS = 1024;

    /** Client times before 2000 or later than a year after receipt are nonsense, not data. */
    private static final long MIN_CLIENT_TS = 946_684_800_000L;

    private EventRules() {
    }

    public static String site(String site) throws InvalidEventException {
        if (site == null) {
            throw new InvalidEventException("missing_site", "site is required");
        }
        if (!isSiteId(site)) {
            throw new InvalidEventException("invalid_site", "site must match [a-z0-9._-]{1,64}");
        }
        return site;
    }

    public static EventType type(String type) throws InvalidEventException {
        if (type == null) {
            throw new InvalidEventException("missing_type", "type is required");
        }
        EventType parsed = EventType.fromWire(type);
        if (parsed == null) {
            throw new InvalidEventException("invalid_type", "type must be 'pageview' or 'event'");
        }
        return parsed;
    }

    public static String name(EventType type, String name) throws InvalidEventException {
        if (type == EventType.EVENT && (name == null || name.isBlank())) {
            throw new InvalidEventException("missing_name", "name is required when type is 'event'");
        }
        if (name != null && name.length() > MAX_NAME_CHARS) {
            throw new InvalidEventException("invalid_name", "name must be at most 128 characters");
        }
        return name;
    }

    /**
     * Whether a JSON number's text is one every warehouse stores as sent: a finite double that is not an
     * underflow to zero, with an exponent of at most three digits (±999). PostgreSQL's jsonb refuses exponents past its numeric range ({@code 1e-16384},
     * {@code 1e131072}), and one such value would otherwise fail its whole batch at every retry.
     */
    public static boolean isStorableNumber(String text) {
        double d;
        try {
            d = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return false;
        }
        if (Double.isInfinite(d) || Double.isNaN(d)) {
            return false;
        }
        int e = Math.max(text.indexOf('e'), text.indexOf('E'));
        if (e >= 0 && !(text.length() - e <= 5 && Math.abs(Integer.parseInt(text.substring(e + 1))) <= 999)) {
            // Even 0e-16384, a zero, is past PostgreSQL's numeric.
            return false;
        }
        if (d == 0) {
            // 1e-400 parses as 0.0: a number too small for a double, not a zero.
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == 'e' || c == 'E') {
                    break;
                }
                if (c >= '1' && c <= '9') {
                    return false;
                }
            }
        }
        return true;
    }

    /** {@code [a-z0-9._-]{1,64}} without a regex: it runs for every event (a profile showed the Matcher). */
    static boolean isSiteId(String site) {
        int n = site.length();
        if (n == 0 || n > 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = site.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** An absolute http(s) URL or nothing. */
    public static String url(String field, String url) throws InvalidEventException {
        if (url == null) {
            return null;
        }
        if (url.length() > MAX_URL_CHARS) {
            throw new InvalidEventException("invalid_" + field, field + " must be at most 4096 characters");
        }
        if (!isHttpUrl(url)) {
            throw new InvalidEventException("invalid_" + field, field + " must be an absolute http or https URL");
        }
        return url;
    }

    /**
     * A referrer may be empty (direct visit); otherwise the same rule as a URL, or the {@code android-app://<package>/}
     * that Android's browsers report for a visit from an app (Gmail, the Google app): a page view is not refused
     * for where it came from.
     */
    public static String referrer(String referrer) throws InvalidEventException {
        if (referrer == null || referrer.isEmpty()) {
            return null;
        }
        if (referrer.length() <= MAX_URL_CHARS && isAndroidAppUrl(referrer)) {
            return referrer;
        }
        return url("referrer", referrer);
    }

    /** {@code android-app://} and a package name ({@code [A-Za-z0-9._]}), then the end or a {@code /}. */
    static boolean isAndroidAppUrl(String url) {
        String scheme = "android-app://";
        if (!url.regionMatches(true, 0, scheme, 0, scheme.length())) {
            return false;
        }
        int end = scheme.length();
        while (end < url.length() && url.charAt(end) != '/') {
            char c = url.charAt(end);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_')) {
                return false;
            }
            end++;
        }
        return end > scheme.length();
    }

    static boolean isHttpUrl(String url) {
        int scheme = url.indexOf("://");
        if (scheme != 4 && scheme != 5) {
            return false;
        }
        if (!url.regionMatches(true, 0, "https", 0, scheme)) {
            return false;
        }
        int hostStart = scheme + 3;
        if (hostStart >= url.length()) {
            return false;
        }
        char first = url.charAt(hostStart);
        if (first == '/' || first == '?' || first == '#') {
            return false;
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    public static String title(String title) throws InvalidEventException {
        if (title != null && title.length() > MAX_TITLE_CHARS) {
            throw new InvalidEventException("invalid_title", "title must be at most 1024 characters");
        }
        return title;
    }

    public static String eventId(String id) throws InvalidEventException {
        if (id == null) {
            return null;
        }
        if (!isUuidText(id)) {
            throw new InvalidEventException("invalid_event_id", "event_id must be a UUID");
        }
        return id.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Whether the text is a UUID in its 8-4-4-4-12 hex form, either case. A loop, not a regular expression:
     * every event is checked, and the pattern's matcher was a measurable share of the enricher's time.
     */
    static boolean isUuidText(String id) {
        if (id.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = id.charAt(i);
            boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
                    : c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A new random event id, for events sent without one. */
    public static String newEventId() {
        java.util.SplittableRandom random = ID_RANDOM.get();
        long high = (random.nextLong() & ~0xf000L) | 0x4000L;
        long low = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /**
     * Version-4 UUIDs from a per-thread generator seeded once from {@link java.security.SecureRandom}: ids
     * must be unique across threads and processes (a collision would be deduplicated away), not unguessable,
     * and {@code UUID.randomUUID()} takes one shared SecureRandom lock for every event.
     */
    private static final ThreadLocal<java.util.SplittableRandom> ID_RANDOM = ThreadLocal.withInitial(
            () -> new java.util.SplittableRandom(new java.security.SecureRandom().nextLong()));

    public static String visitorId(String id) throws InvalidEventException {
        if (id != null && (id.isEmpty() || id.length() > MAX_VISITOR_ID_CHARS)) {
            throw new InvalidEventException("invalid_visitor_id", "visitor_id must be 1 to 128 characters");
        }
        return id;
    }

    /** A visitor's user agent sent in the event (servers reporting for a visitor); 1 to 1024 characters. */
    public static String userAgent(String ua) throws InvalidEventException {
        if (ua != null && (ua.isBlank() || ua.length() > MAX_USER_AGENT_CHARS)) {
            throw new InvalidEventException("invalid_user_agent", "user_agent must be 1 to 1024 characters");
        }
        return ua;
    }

    public static String screen(String screen) throws InvalidEventException {
        if (screen != null && !isScreen(screen)) {
            throw new InvalidEventException("invalid_screen", "screen must look like 1920x1080");
        }
        return screen;
    }

    public static String language(String language) throws InvalidEventException {
        if (language != null && !isLanguageTag(language)) {
            throw new InvalidEventException("invalid_language", "language must be a language tag such as en-GB");
        }
        return language;
    }

    public static String timezone(String timezone) throws InvalidEventException {
        if (timezone != null && !isZoneName(timezone)) {
            throw new InvalidEventException("invalid_timezone", "timezone must be a zone name such as Europe/London");
        }
        return timezone;
    }

    // The three checks below run for most browser events; hand-written because the regex Matcher was the
    // largest item of footfall's own code in a profile of the single-event path. Each equals its pattern
    // (EventRulesTest checks them against the regex).

    /** {@code [0-9]{1,5}x[0-9]{1,5}}. */
    static boolean isScreen(String s) {
        int x = s.indexOf('x');
        return x >= 1 && x <= 5 && s.length() - x - 1 >= 1 && s.length() - x - 1 <= 5
                && digits(s, 0, x) && digits(s, x + 1, s.length());
    }

    /** {@code [A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,3}}. */
    static boolean isLanguageTag(String s) {
        int start = 0;
        int segment = 0;
        while (true) {
            int end = s.indexOf('-', start);
            if (end < 0) {
                end = s.length();
            }
            int len = end - start;
            if (segment > 3 || (segment == 0 ? len < 2 : len < 1) || len > 8) {
                return false;
            }
            for (int i = start; i < end; i++) {
                char c = s.charAt(i);
                boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                if (!letter && (segment == 0 || c < '0' || c > '9')) {
                    return false;
                }
            }
            if (end == s.length()) {
                return true;
            }
            start = end + 1;
            segment++;
        }
    }

    /** {@code [A-Za-z0-9_+\-/]{1,64}}. */
    static boolean isZoneName(String s) {
        if (s.isEmpty() || s.length() > 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '+' || c == '-' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Parses {@code ts} as ISO-8601 (with offset) text; epoch milliseconds arrive as numbers. */
    public static long clientTs(String text) throws InvalidEventException {
        try {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException again) {
                throw new InvalidEventException("invalid_ts", "ts must be ISO-8601 with an offset, or epoch milliseconds");
            }
        }
    }

    public static long clientTs(long epochMs, long receivedAt) throws InvalidEventException {
        if (epochMs < MIN_CLIENT_TS || epochMs > receivedAt + 366L * 24 * 3600 * 1000) {
            throw new InvalidEventException("invalid_ts", "ts is out of range");
        }
        return epochMs;
    }

    /** Checks a whole event, as the enricher does for records it did not receive itself. */
    public static void check(RawEvent event) throws InvalidEventException {
        site(event.site());
        if (event.type() == null) {
            throw new InvalidEventException("missing_type", "type is required");
        }
        name(event.type(), event.name());
        url("url", event.url());
        referrer(event.referrer());
        title(event.title());
        if (event.eventId() == null) {
            throw new InvalidEventException("missing_event_id", "event_id is required on the raw topic");
        }
        eventId(event.eventId());
        visitorId(event.visitorId());
        screen(event.screen());
        language(event.language());
        timezone(event.timezone());
    }
}
