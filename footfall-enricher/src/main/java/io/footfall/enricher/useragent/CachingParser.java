package io.footfall.enricher.useragent;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded cache of user-agent analyses in front of Yauaa and the crawler list, shared by the stream threads
 * of a process. A site's traffic repeats a few thousand user agents, so almost every event is a hit; a miss
 * costs Yauaa (~100 µs–3 ms) plus the crawler patterns.
 *
 * <p>Two generations of up to {@code maxEntries} analyses each, approximately least-recently-used: a new
 * analysis goes into the current generation; when that is full it becomes the previous one and the older is
 * dropped; a hit in the previous generation is copied into the current one, so what is still in use survives.
 * So a working set of up to {@code maxEntries} user agents is analysed once, and at most twice that many are
 * held. A hit in the current generation takes no lock and writes nothing shared (a lock around an
 * access-ordered {@code LinkedHashMap}, whose every hit relinks the list, was ~7 % of a stream thread's time
 * with two threads); misses and copies forward take the lock.
 */
public final class CachingParser implements UserAgentParser {

    private final UserAgentParser yauaa;
    private final CrawlerList crawlers;
    private final boolean botsEnabled;
    private final int generationSize;
    private volatile Generations generations = new Generations(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder missNanos = new LongAdder();

    /**
     * @param yauaa       the analyzer, or null to skip browser/os/device parsing
     * @param crawlers    the crawler list, or null
     * @param botsEnabled whether is_bot is decided at all
     */
    public CachingParser(UserAgentParser yauaa, CrawlerList crawlers, boolean botsEnabled, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("a user-agent cache needs room for at least one entry");
        }
        this.yauaa = yauaa;
        this.crawlers = crawlers;
        this.botsEnabled = botsEnabled;
        this.generationSize = maxEntries;
    }

    private record Generations(ConcurrentHashMap<String, UserAgentInfo> current,
                               ConcurrentHashMap<String, UserAgentInfo> previous) {
    }

    /** The user agent footfall's Java client sends by default ({@code footfall-client/1}). */
    static final String SERVER_CLIENT = "footfall-client/";

    @Override
    public UserAgentInfo parse(String userAgent) {
        if (userAgent == null || userAgent.isEmpty()) {
            return UserAgentInfo.UNKNOWN;
        }
        Generations g = generations;
        UserAgentInfo info = g.current().get(userAgent);
        if (info != null) {
            hits.increment();
            return info;
        }
        info = g.previous().get(userAgent);
        if (info != null) {
            hits.increment();
            remember(userAgent, info);
            return info;
        }
        misses.increment();
        long start = System.nanoTime();
        info = analyse(userAgent);
        missNanos.add(System.nanoTime() - start);
        remember(userAgent, info);
        return info;
    }

    private synchronized void remember(String userAgent, UserAgentInfo info) {
        Generations g = generations;
        if (g.current().size() >= generationSize && !g.current().containsKey(userAgent)) {
            g = new Generations(new ConcurrentHashMap<>(), g.current());
            generations = g;
        }
        g.current().put(userAgent, info);
    }

    private UserAgentInfo analyse(String userAgent) {
        if (userAgent.startsWith(SERVER_CLIENT)) {
            // A server reporting for a visitor through footfall's Java client without naming the visitor's own
            // user agent: a person's action (a sign-up, a purchase), not a bot's; the browser is not known.
            return UserAgentInfo.UNKNOWN;
        }
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

    /** Analyses held now: never more than twice {@code maxEntries}. */
    int size() {
        Generations g = generations;
        return g.current().size() + g.previous().size();
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
