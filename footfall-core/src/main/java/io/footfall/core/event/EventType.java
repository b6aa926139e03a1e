package io.footfall.core.event;

/** The two kinds of event a client can send. */
public enum EventType {
    PAGEVIEW("pageview"),
    EVENT("event");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** @return the type for a wire name, or {@code null} when it is not one. */
    public static EventType fromWire(String name) {
        if ("pageview".equals(name)) {
            return PAGEVIEW;
        }
        if ("event".equals(name)) {
            return EVENT;
        }
        return null;
    }
}
