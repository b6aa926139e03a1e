package io.footfall.enricher.useragent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded least-recently-used cache of user-agent analyses in front of Yauaa and the crawler list, shared
 * by the stream threads of a process. A site's traffic repeats a few thousand user agents, so almost every
 * event is a hit; a miss costs Yauaa (~100 µs) plus the crawler patterns.
 *
 * <p>One lock around a {@link LinkedHashMap}: held for well under a microsecond, which two to four stream
 * threads do not contend on measurably.
 */
public final class CachingParser implements UserAgentParser {

    private final UserAgentParser yauaa;
    private final CrawlerList crawlers;
    private final boolean botsEnabled;
    private final Map<String, UserAgentInfo> cache;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder missNanos = new LongAdder();

    /**
     * @param yauaa       the analyzer, or null to skip browser/os/device parsing
     * @param crawlers    the crawler list, or null
     * @param botsEnabled whether is_bot is decided at all
     */
    public CachingParser(UserAgentParser yauaa, CrawlerList crawlers, boolean botsEnabled, int maxEntries) {
        this.yauaa = yauaa;
        this.crawlers = crawlers;
        this.botsEnabled = botsEnabled;
        this.cache = new LinkedHashMap<>(Math.min(maxEntries, 1 << 16) * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, UserAgentInfo> eldest) {
                return size() > maxEntries;
            }
        };
    }

    @Override
    public UserAgentInfo parse(String userAgent) {
        if (userAgent == null || userAgent.isEmpty()) {
            return UserAgentInfo.UNKNOWN;
        }
        UserAgentInfo info;
        synchronized (cache) {
            info = cache.get(userAgent);
        }
        if (info != null) {
            hits.increment();
            return info;
        }
        misses.increment();
        long start = System.nanoTime();
        info = analyse(userAgent);
        missNanos.add(System.nanoTime() - start);
        synchronized (cache) {
            cache.put(userAgent, info);
        }
        return info;
    }

    private UserAgentInfo analyse(String userAgent) {
        UserAgentInfo info = yauaa == null ? UserAgentInfo.UNKNOWN : yauaa.parse(userAgent);
        if (!botsEnabled) {
            return info.isBot() ? new UserAgentInfo(info.browser(), info.browserVersion(), info.os(), info.osVersion(),
                    info.deviceType(), false) : info;
        }
        if (!info.isBot() && crawlers != null && crawlers.isCrawler(userAgent)) {
            return info.asBot();
        }
        return info;
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    /** Mean cost of a miss (Yauaa plus the crawler list), in microseconds. */
    public double meanMissMicros() {
        long m = misses();
        return m == 0 ? 0 : missNanos.sum() / 1000.0 / m;
    }

    /** Hits over lookups since start, 0 before the first lookup. */
    public double hitRate() {
        long h = hits(), total = h + misses();
        return total == 0 ? 0 : (double) h / total;
    }
}
