package io.footfall.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One page view or custom event, as a server reports it. Each event gets its {@code event_id} when it is made:
 * a batch sent again after a lost answer carries the same ids, and footfall stores each id once. So make a new
 * {@code Event} for each thing that happened: the same object sent twice is one event, stored once.
 *
 * <p>Every method checks what the collector would refuse in any case (a site that is not {@code [a-z0-9._-]{1,64}},
 * text over its field's length, a lone UTF-16 surrogate, a 33rd property, a number JSON cannot carry) and throws
 * {@link IllegalArgumentException} at the call, naming the field: the mistake shows where it is made, not later as
 * a rejected event on the client's thread. Whether a URL is an absolute http(s) one is left to the collector.
 *
 * <pre>{@code
 * Event.pageview("example.com", "https://example.com/pricing").referrer("https://www.google.com/").visitorId(user)
 * Event.custom("example.com", "signup").prop("plan", "pro").prop("seats", 3)
 * }</pre>
 */
public final class Event {

    private final String eventId;
    private final String site;
    private final String type;
    private final String name;
    private String url;
    private final long ts;
    private String referrer;
    private String title;
    private String visitorId;
    private String userAgent;
    private final Map<String, Object> props = new LinkedHashMap<>();

    static final int MAX_NAME_CHARS = 128;
    static final int MAX_URL_CHARS = 4096;
    static final int MAX_TITLE_CHARS = 1024;
    static final int MAX_VISITOR_ID_CHARS = 128;
    static final int MAX_USER_AGENT_CHARS = 1024;
    static final int MAX_PROPS = 32;
    static final int MAX_PROP_KEY_CHARS = 64;
    static final int MAX_PROP_VALUE_CHARS = 1024;
    /** The collector reads no JSON number of more digits than this (and refuses the whole request that holds one). */
    static final int MAX_NUMBER_CHARS = 40;
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private Event(String site, String type, String name, String url) {
        this.eventId = UUID.randomUUID().toString();
        this.site = site(site);
        this.type = type;
        this.name = name;
        this.url = url;
        this.ts = System.currentTimeMillis();
    }

    /** A page view of {@code url} (absolute http or https, at most 4,096 characters) on {@code site}. */
    public static Event pageview(String site, String url) {
        return new Event(site, "pageview", null, text("url", Objects.requireNonNull(url, "url"), 1, MAX_URL_CHARS));
    }

    /** A custom event named {@code name} (1 to 128 characters) on {@code site}. */
    public static Event custom(String site, String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: a custom event needs a name, got '" + name + "'");
        }
        return new Event(site, "event", text("name", name, 1, MAX_NAME_CHARS), null);
    }

    /** The page the event happened on, for a custom event (at most 4,096 characters; null for none). */
    public Event url(String pageUrl) {
        if (!type.equals("event")) {
            throw new IllegalStateException("a page view's url is given to Event.pageview");
        }
        this.url = pageUrl == null ? null : text("url", pageUrl, 1, MAX_URL_CHARS);
        return this;
    }

    /** The page the visitor came from (at most 4,096 characters; null or empty for a direct visit). */
    public Event referrer(String value) {
        this.referrer = value == null ? null : text("referrer", value, 0, MAX_URL_CHARS);
        return this;
    }

    /** The page's title (at most 1,024 characters; null for none). */
    public Event title(String value) {
        this.title = value == null ? null : text("title", value, 0, MAX_TITLE_CHARS);
        return this;
    }

    /**
     * Your own anonymous id for the visitor (at most 128 characters): without it footfall derives a daily one from
     * the client's network and user agent, which for a server are the server's own.
     */
    public Event visitorId(String value) {
        this.visitorId = value == null ? null : text("visitorId", value, 1, MAX_VISITOR_ID_CHARS);
        return this;
    }

    /**
     * The visitor's own user agent (the {@code User-Agent} of the request you are handling, at most 1,024
     * characters): footfall then knows the browser, OS and device, and tells bots apart. Without it the event
     * carries the client's, which footfall counts as a person's with an unknown browser.
     */
    public Event userAgent(String value) {
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException("userAgent: blank; leave it out (null) for the client's own");
        }
        this.userAgent = value == null ? null : text("userAgent", value, 1, MAX_USER_AGENT_CHARS);
        return this;
    }

    /**
     * A custom property (at most 32 per event; the key 1 to 64 characters): a string of at most 1,024 characters, a
     * boolean, or a finite number of at most 40 digits and an exponent within ±999 (what every
     * warehouse stores as sent). Setting a key again replaces its value.
     */
    public Event prop(String key, Object value) {
        text("prop key", Objects.requireNonNull(key, "key"), 1, MAX_PROP_KEY_CHARS);
        if (value instanceof String s) {
            text("prop '" + key + "'", s, 0, MAX_PROP_VALUE_CHARS);
        } else if (value instanceof Number n) {
            number(key, n);
        } else if (!(value instanceof Boolean)) {
            throw new IllegalArgumentException("prop '" + key + "': a string, a number or a boolean, not "
                    + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        if (!props.containsKey(key) && props.size() == MAX_PROPS) {
            throw new IllegalArgumentException("prop '" + key + "': an event has at most " + MAX_PROPS + " properties");
        }
        props.put(key, value);
        return this;
    }

    private static String site(String site) {
        Objects.requireNonNull(site, "site");
        boolean ok = !site.isEmpty() && site.length() <= 64;
        for (int i = 0; ok && i < site.length(); i++) {
            char c = site.charAt(i);
            ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-';
        }
        if (!ok) {
            throw new IllegalArgumentException("site: must match [a-z0-9._-]{1,64}, got '" + abbreviated(site) + "'");
        }
        return site;
    }

    private static String text(String field, String value, int min, int max) {
        if (value.length() < min || value.length() > max) {
            throw new IllegalArgumentException(field + ": must be " + (min == 0 ? "at most " + max : min + " to " + max)
                    + " characters, got " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(field + ": holds a lone UTF-16 surrogate at index " + i
                        + " (not text: the collector refuses it)");
            }
        }
        return value;
    }

    private static void number(String key, Number n) {
        String text = n.toString();
        boolean ok = JSON_NUMBER.matcher(text).matches();
        if (ok) {
            int e0 = Math.max(text.indexOf('e'), text.indexOf('E'));
            // as the collector's JSON reader counts: the digits, not the sign or the point
            ok = text.substring(0, e0 < 0 ? text.length() : e0).chars().filter(Character::isDigit).count() <= MAX_NUMBER_CHARS;
        }
        if (ok) {
            double d = Double.parseDouble(text);
            int e = Math.max(text.indexOf('e'), text.indexOf('E'));
            String exponent = e < 0 ? "0" : text.substring(e + 1).replace("+", "");
            ok = Double.isFinite(d) && exponent.length() <= 4 && Math.abs(Integer.parseInt(exponent)) <= 999
                    // 1e-400 parses as 0.0: too small for a double, not a zero
                    && !(d == 0 && text.substring(0, e < 0 ? text.length() : e).matches(".*[1-9].*"));
        }
        if (!ok) {
            throw new IllegalArgumentException("prop '" + key + "': " + abbreviated(text) + " is not a number JSON carries"
                    + " and every warehouse stores (finite, at most " + MAX_NUMBER_CHARS + " digits, exponent within"
                    + " ±999); send it as a string");
        }
    }

    private static String abbreviated(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    public String eventId() {
        return eventId;
    }

    public String site() {
        return site;
    }

    public Map<String, Object> props() {
        return Collections.unmodifiableMap(props);
    }

    /** The event as the collector's JSON object. */
    String toJson() {
        StringBuilder json = new StringBuilder(256).append('{');
        field(json, "event_id", eventId);
        field(json, "site", site);
        field(json, "type", type);
        field(json, "name", name);
        field(json, "url", url);
        field(json, "referrer", referrer);
        field(json, "title", title);
        field(json, "visitor_id", visitorId);
        field(json, "user_agent", userAgent);
        json.append(",\"ts\":").append(ts);
        if (!props.isEmpty()) {
            json.append(",\"props\":{");
            boolean first = true;
            for (Map.Entry<String, Object> p : props.entrySet()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                string(json, p.getKey());
                json.append(':');
                Object v = p.getValue();
                if (v instanceof String s) {
                    string(json, s);
                } else {
                    json.append(v); // checked by prop: JSON's own number text
                }
            }
            json.append('}');
        }
        return json.append('}').toString();
    }

    private static void field(StringBuilder json, String key, String value) {
        if (value == null) {
            return;
        }
        if (json.length() > 1) {
            json.append(',');
        }
        string(json, key);
        json.append(':');
        string(json, value);
    }

    static void string(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
