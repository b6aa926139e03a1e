package io.footfall.core.config;

/**
 * The query server (stats API, dashboard, metrics). Bound to loopback unless configured: it is an admin port.
 */
public record QueryConfig(String host, int port) {

    public static QueryConfig from(Settings s) {
        return new QueryConfig(
                s.string("query.host", "127.0.0.1"),
                s.integer("query.port", 8081, 0, 65535));
    }
}
