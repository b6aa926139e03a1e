package io.footfall.enricher.pipeline;

import io.footfall.core.config.EnricherConfig;
import io.footfall.enricher.geo.GeoLocator;
import io.footfall.enricher.referrer.ReferrerClassifier;
import io.footfall.enricher.referrer.ReferrerList;
import io.footfall.enricher.useragent.CachingParser;
import io.footfall.enricher.useragent.CrawlerList;
import io.footfall.enricher.useragent.UserAgentParser;
import io.footfall.enricher.useragent.YauaaParser;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the pipelines of one process share: the user-agent cache (in front of the one Yauaa analyzer), the
 * referrer list, the GeoIP reader and the step timings. All thread-safe and read-mostly; built once per
 * topology (or per replay), never per task, because Yauaa and the lists take seconds and tens of MB.
 */
public final class EnricherResources implements AutoCloseable {

    private static final class Lists {
        static final ReferrerList REFERRERS = ReferrerList.shipped();
        static final CrawlerList CRAWLERS = CrawlerList.shipped();
    }

    private final CachingParser userAgents;
    private final ReferrerClassifier referrers;
    private final GeoLocator geo;
    private final StepTimings timings;
    private final LongAdder expiredRecords = new LongAdder();

    public EnricherResources(CachingParser userAgents, ReferrerClassifier referrers, GeoLocator geo, StepTimings timings) {
        this.userAgents = userAgents;
        this.referrers = referrers;
        this.geo = geo;
        this.timings = timings;
    }

    public static EnricherResources create(EnricherConfig config) {
        return create(config, YauaaParser.shared(), StepTimings.OFF);
    }

    /** With another user-agent parser in front of the cache (tests inject faults this way) and timings. */
    public static EnricherResources create(EnricherConfig config, UserAgentParser yauaa, StepTimings timings) {
        CachingParser userAgents = new CachingParser(config.userAgentEnabled() ? yauaa : null,
                config.botsEnabled() ? Lists.CRAWLERS : null, config.botsEnabled(), config.userAgentCacheSize());
        ReferrerClassifier referrers = config.referrerEnabled() ? new ReferrerClassifier(Lists.REFERRERS)
                : ReferrerClassifier.withoutList();
        return new EnricherResources(userAgents, referrers, GeoLocator.open(config.geoipDatabase()), timings);
    }

    /** The shipped crawler list (its example user agents are the benchmark's corpus). */
    public static CrawlerList crawlerList() {
        return Lists.CRAWLERS;
    }

    public CachingParser userAgents() {
        return userAgents;
    }

    public ReferrerClassifier referrers() {
        return referrers;
    }

    public GeoLocator geo() {
        return geo;
    }

    public StepTimings timings() {
        return timings;
    }

    /**
     * Records of {@code footfall.raw} this process's tasks found gone before they read them (deleted by the topic's
     * retention, or skipped by an offset reset), since the process started: {@code footfall_enricher_records_expired_total} (at least once: a task redone after an
     * aborted transaction counts its gap again).
     */
    public LongAdder expiredRecords() {
        return expiredRecords;
    }

    @Override
    public void close() {
        geo.close();
    }
}
