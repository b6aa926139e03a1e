package io.footfall.collector.http;

/** The collector's resources, as the {@code route} tag of its request metrics. */
enum Route {
    EVENTS("events"),
    PIXEL("pixel"),
    TRACKER("tracker"),
    HEALTH("health"),
    METRICS("metrics"),
    OTHER("other");

    private final String tag;

    Route(String tag) {
        this.tag = tag;
    }

    String tag() {
        return tag;
    }

    static Route of(String path) {
        return switch (path) {
            case "/v1/events" -> EVENTS;
            case "/v1/p.gif" -> PIXEL;
            case "/footfall.js" -> TRACKER;
            case "/health/live", "/health/ready" -> HEALTH;
            case "/metrics" -> METRICS;
            default -> OTHER;
        };
    }
}
