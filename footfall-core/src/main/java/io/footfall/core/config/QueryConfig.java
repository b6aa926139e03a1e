package io.footfall.core.config;

import java.time.Duration;

/**
 * The query server (stats API, read-only SQL, live tap, dashboard, metrics). Bound to loopback unless
 * configured: it is an admin port.
 *
 * @param sqlTimeout    longest a statement of {@code POST /api/sql} may run before it is cancelled
 * @param sqlMaxRows    most rows one SQL answer carries; more are cut off and flagged {@code truncated}
 * @param sqlRole       PostgreSQL only: a role to {@code SET LOCAL ROLE} to for user SQL (a read-only role);
 *                      empty = the warehouse user inside a read-only transaction
 * @param tapMaxClients most concurrent live-tap streams; each holds one Kafka consumer and one thread
 * @param exactVisitorsUpTo the stats count distinct visitors exactly in a query over at most this many rows
 *                      (sessions, or events); above, DuckDB estimates them (HyperLogLog)
 * @param summaryCacheMb DuckDB: heap for the summaries of finished hours and days that serve the estimated stats
 *                      without filters (0: none, every request reads the tables)
 * @param sqlUser       PostgreSQL only: a login of its own for user SQL (a role with SELECT only); empty = the
 *                      warehouse user's
 * @param sqlPassword   that login's password (empty: none, as with trust or peer authentication)
 */
public record QueryConfig(String host, int port, Duration sqlTimeout, int sqlMaxRows, String sqlRole,
                          int tapMaxClients, long exactVisitorsUpTo, int summaryCacheMb, String sqlUser, String sqlPassword) {

    /** The default of {@code query.exactVisitorsUpTo}: an exact distinct count over this many rows takes ~6 ms on 2 cores. */
    public static final long EXACT_VISITORS_UP_TO = 100_000;

    /**
     * The default of {@code query.summaryCacheMb}: 31 days of 10M events of three sites take ~134 MB with every
     * list summarised, ~70 MB with the dashboard's first view's.
     */
    public static final int SUMMARY_CACHE_MB = 256;

    /** Loopback, the given port, defaults for the rest: what tests and embedding code need. */
    public QueryConfig(String host, int port) {
        this(host, port, Duration.ofSeconds(10), 10_000, "", 8);
    }

    /** As the canonical constructor, with the default {@code exactVisitorsUpTo} and {@code summaryCacheMb}. */
    public QueryConfig(String host, int port, Duration sqlTimeout, int sqlMaxRows, String sqlRole, int tapMaxClients) {
        this(host, port, sqlTimeout, sqlMaxRows, sqlRole, tapMaxClients, EXACT_VISITORS_UP_TO, SUMMARY_CACHE_MB);
    }

    /** As the canonical constructor, user SQL on the warehouse user's login. */
    public QueryConfig(String host, int port, Duration sqlTimeout, int sqlMaxRows, String sqlRole, int tapMaxClients,
                       long exactVisitorsUpTo, int summaryCacheMb) {
        this(host, port, sqlTimeout, sqlMaxRows, sqlRole, tapMaxClients, exactVisitorsUpTo, summaryCacheMb, "", "");
    }

    /** This configuration with user SQL on a login of its own. */
    public QueryConfig withSqlLogin(String user, String password) {
        return new QueryConfig(host, port, sqlTimeout, sqlMaxRows, sqlRole, tapMaxClients, exactVisitorsUpTo, summaryCacheMb,
                user, password);
    }

    /** This configuration with another {@code exactVisitorsUpTo}. */
    public QueryConfig withExactVisitorsUpTo(long rows) {
        return new QueryConfig(host, port, sqlTimeout, sqlMaxRows, sqlRole, tapMaxClients, rows, summaryCacheMb, sqlUser,
                sqlPassword);
    }

    public static QueryConfig from(Settings s) {
        String role = s.string("query.sqlRole", "");
        // The role name is spliced into SET LOCAL ROLE (roles cannot be bound parameters): a plain identifier only.
        if (!role.matches("[a-z_][a-z0-9_]{0,62}|")) {
            throw new ConfigException("query.sqlRole: must be a lower-case SQL identifier, got '" + role + "'");
        }
        return new QueryConfig(
                s.string("query.host", "127.0.0.1"),
                s.integer("query.port", 8081, 0, 65535),
                s.duration("query.sqlTimeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(10)),
                s.integer("query.sqlMaxRows", 10_000, 1, 1_000_000),
                role,
                s.integer("query.tapMaxClients", 8, 1, 256),
                s.integer("query.exactVisitorsUpTo", (int) EXACT_VISITORS_UP_TO, 0, Integer.MAX_VALUE),
                s.integer("query.summaryCacheMb", SUMMARY_CACHE_MB, 0, 65_536),
                s.string("query.sqlUser", ""),
                s.string("query.sqlPassword", ""));
    }
}
