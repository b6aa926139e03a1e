package io.footfall.core.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The stream workers.
 *
 * @param applicationId    the Kafka Streams application id; instances with the same id share the partitions
 * @param threads          stream threads per instance; one per core is the ceiling that helps
 * @param commitInterval   exactly-once commit interval: the latency floor from raw to events
 * @param sessionTimeout   inactivity after which a visitor's next event starts a new session
 * @param dedupEnabled     drop an event whose {@code event_id} was already seen within {@code dedupWindow}
 * @param dedupWindow      how long an {@code event_id} is remembered; client retries and replays inside it count once
 * @param sessionsEnabled  assign sessions; off, every event has a null session
 * @param saltZone         the zone whose midnight rotates the cookieless visitor-id salt
 * @param stripParams      query parameters removed from the stored url and query (click ids that identify a person)
 * @param sourceParams     query parameters that name the source of a link without UTM ({@code ?ref=producthunt}), in
 *                         order of precedence; the first one present fills {@code utm_source} when the URL has none
 * @param referrerEnabled  classify the referrer against the shipped list; off, only direct/internal/other
 * @param userAgentEnabled parse the user agent (browser, os, device) with Yauaa
 * @param botsEnabled      mark bots (Yauaa robot classes and the shipped crawler list)
 * @param userAgentCacheSize distinct user agents whose analysis is kept in memory
 * @param geoipDatabase    a MaxMind GeoIP2/GeoLite2 City or Country {@code .mmdb}; null: the geo fields stay null
 *                         (one warning at start); a file that cannot be read stops the enricher's start
 * @param adminHost        where {@code footfall enricher} answers {@code /health/*} and {@code /metrics}
 * @param adminPort        ... and on which port (0: a free one, printed at start); the standalone has none
 */
public record EnricherConfig(
        String applicationId,
        int threads,
        Duration commitInterval,
        Duration sessionTimeout,
        boolean dedupEnabled,
        Duration dedupWindow,
        boolean sessionsEnabled,
        ZoneId saltZone,
        List<String> stripParams,
        List<String> sourceParams,
        boolean referrerEnabled,
        boolean userAgentEnabled,
        boolean botsEnabled,
        int userAgentCacheSize,
        Path geoipDatabase,
        String adminHost,
        int adminPort) {

    /** Click ids and analytics cookies that ride on landing URLs; none of them is needed to count a page. */
    public static final List<String> DEFAULT_STRIP_PARAMS = List.of(
            "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
            "li_fat_id", "mc_eid", "igshid", "_ga", "_gl", "_hsenc", "_hsmi", "srsltid",
            "__hstc", "__hssc", "__hsfp", "gad_source", "mc_cid", "rdt_cid", "epik", "sccid");

    /** Where sites put the source of a link they share without UTM: {@code ?ref=producthunt}, {@code ?source=newsletter}. */
    public static final List<String> DEFAULT_SOURCE_PARAMS = List.of("ref", "source");

    public static final String DEFAULT_ADMIN_HOST = "127.0.0.1";
    public static final int DEFAULT_ADMIN_PORT = 8082;

    private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z0-9_.\\-\\[\\]]{1,64}");

    public EnricherConfig {
        stripParams = List.copyOf(stripParams);
        sourceParams = List.copyOf(sourceParams);
    }

    /** The settings of the walking skeleton; every later step at its default. */
    public EnricherConfig(String applicationId, int threads, Duration commitInterval, Duration sessionTimeout) {
        this(applicationId, threads, commitInterval, sessionTimeout, true, Duration.ofHours(24), true, ZoneId.of("UTC"),
                DEFAULT_STRIP_PARAMS, DEFAULT_SOURCE_PARAMS, true, true, true, 10_000, null, DEFAULT_ADMIN_HOST, DEFAULT_ADMIN_PORT);
    }

    public static EnricherConfig from(Settings s) {
        return new EnricherConfig(
                s.string("enricher.applicationId", "footfall-enricher"),
                s.integer("enricher.threads", 1, 1, 64),
                s.duration("enricher.commitInterval", Duration.ofMillis(100), Duration.ofMillis(10), Duration.ofMinutes(1)),
                s.duration("enricher.sessionTimeout", Duration.ofMinutes(30), Duration.ofMinutes(1), Duration.ofDays(1)),
                s.bool("enricher.dedup.enabled", true),
                s.duration("enricher.dedup.window", Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofDays(30)),
                s.bool("enricher.sessions.enabled", true),
                zone(s, "enricher.saltZone"),
                params(s, "enricher.stripParams", DEFAULT_STRIP_PARAMS),
                params(s, "enricher.sourceParams", DEFAULT_SOURCE_PARAMS),
                s.bool("enricher.referrer.enabled", true),
                s.bool("enricher.userAgent.enabled", true),
                s.bool("enricher.bots.enabled", true),
                s.integer("enricher.userAgent.cacheSize", 10_000, 100, 10_000_000),
                geoip(s, "enricher.geoipDatabase"),
                s.string("enricher.adminHost", DEFAULT_ADMIN_HOST),
                s.integer("enricher.adminPort", DEFAULT_ADMIN_PORT, 0, 65535));
    }

    /** The same settings with another session timeout, dedup window or salt zone (tests, replay). */
    public EnricherConfig with(Duration newSessionTimeout, Duration newDedupWindow, ZoneId newSaltZone) {
        return new EnricherConfig(applicationId, threads, commitInterval, newSessionTimeout, dedupEnabled, newDedupWindow,
                sessionsEnabled, newSaltZone, stripParams, sourceParams, referrerEnabled, userAgentEnabled, botsEnabled,
                userAgentCacheSize, geoipDatabase, adminHost, adminPort);
    }

    /** The same settings with a GeoIP database (null for none). */
    public EnricherConfig withGeoipDatabase(Path database) {
        return new EnricherConfig(applicationId, threads, commitInterval, sessionTimeout, dedupEnabled, dedupWindow,
                sessionsEnabled, saltZone, stripParams, sourceParams, referrerEnabled, userAgentEnabled, botsEnabled,
                userAgentCacheSize, database, adminHost, adminPort);
    }

    private static ZoneId zone(Settings s, String key) {
        String value = s.string(key, "UTC");
        try {
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw new ConfigException(key + ": must be a time zone such as UTC or Europe/Berlin, got '" + value + "'");
        }
    }

    /** A comma-separated list of query parameter names, lower case, in the order given; empty for none. */
    private static List<String> params(Settings s, String key, List<String> defaults) {
        String value = s.string(key, String.join(",", defaults));
        if (value.isBlank()) {
            return List.of();
        }
        List<String> names = Arrays.stream(value.split(",")).map(String::trim).filter(n -> !n.isEmpty())
                .map(n -> n.toLowerCase(Locale.ROOT)).distinct().toList();
        for (String name : names) {
            if (!PARAM_NAME.matcher(name).matches()) {
                throw new ConfigException(key + ": '" + name + "' is not a query parameter name");
            }
            if (name.startsWith("utm_")) {
                throw new ConfigException(key + ": '" + name + "' is a UTM parameter; they are read into utm_* columns as they are");
            }
        }
        return names;
    }

    private static Path geoip(Settings s, String key) {
        String value = s.string(key, "");
        if (value.isBlank()) {
            return null;
        }
        try {
            // Read by the enricher when it starts (a collector sharing the file of settings need not have it).
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new ConfigException(key + ": '" + value + "' is not a file path");
        }
    }
}
