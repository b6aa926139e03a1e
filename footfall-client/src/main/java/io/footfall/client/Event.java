package io.footfall.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One page view or custom event, as a server reports it. Each event gets its {@code event_id} when it is made:
 * a batch sent again after a lost answer carries the same ids, and footfall stores each id once.
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

    private Event(String site, String type, String name, String url) {
        this.eventId = UUID.randomUUID().toString();
        this.site = Objects.requireNonNull(site, "site");
        this.type = type;
        this.name = name;
        this.url = url;
        this.ts = System.currentTimeMillis();
    }

    /** A page view of {@code url} (absolute http or https) on {@code site}. */
    public static Event pageview(String site, String url) {
        return new Event(site, "pageview", null, Objects.requireNonNull(url, "url"));
    }

    /** A custom event named {@code name} (at most 128 characters) on {@code site}. */
    public static Event custom(String site, String name) {
        return new Event(site, "event", Objects.requireNonNull(name, "name"), null);
    }

    /** The page the event happened on, for a custom event. */
    public Event url(String pageUrl) {
        if (!type.equals("event")) {
            throw new IllegalStateException("a page view's url is given to Event.pageview");
        }
        this.url = pageUrl;
        return this;
    }

    public Event referrer(String value) {
        this.referrer = value;
        return this;
    }

    public Event title(String value) {
        this.title = value;
        return this;
    }

    /**
     * Your own anonymous id for the visitor (at most 128 characters): without it footfall derives a daily one from
     * the client's network and user agent, which for a server are the server's own.
     */
    public Event visitorId(String value) {
        this.visitorId = value;
        return this;
    }

    /**
     * The visitor's own user agent (the {@code User-Agent} of the request you are handling, at most 1,024
     * characters): footfall then knows the browser, OS and device, and tells bots apart. Without it the event
     * carries the client's, which footfall counts as a person's with an unknown browser.
     */
    public Event userAgent(String value) {
        this.userAgent = value;
        return this;
    }

    /** A custom property: a string, a number or a boolean (at most 32 per event). */
    public Event prop(String key, Object value) {
        Objects.requireNonNull(key, "key");
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            throw new IllegalArgumentException("a property value is a string, a number or a boolean, not "
                    + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        props.put(key, value);
        return this;
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
                } else if (v instanceof Double d && (d.isNaN() || d.isInfinite())
                        || v instanceof Float f && (f.isNaN() || f.isInfinite())) {
                    string(json, v.toString()); // JSON has no NaN: the collector would refuse the whole event
                } else {
                    json.append(v);
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
