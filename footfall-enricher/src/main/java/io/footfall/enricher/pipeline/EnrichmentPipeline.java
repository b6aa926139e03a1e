package io.footfall.enricher.pipeline;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.event.ClientIps;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.enricher.dedup.Deduplicator;
import io.footfall.enricher.geo.GeoLocation;
import io.footfall.enricher.referrer.Referrer;
import io.footfall.enricher.session.SessionState;
import io.footfall.enricher.session.Sessionizer;
import io.footfall.enricher.topology.Enrichment;
import io.footfall.enricher.url.TrackingParams;
import io.footfall.enricher.useragent.UserAgentInfo;
import io.footfall.enricher.validate.Validation;
import io.footfall.enricher.visitor.DailySalts;
import io.footfall.enricher.visitor.VisitorIds;
import java.time.Clock;
import java.time.Duration;

/**
 * The enrichment steps in order — validate, URL, visitor id, dedup, referrer, user agent, geo, session,
 * stored event — over a {@link PipelineState}. Dedup and session share one record per visitor
 * ({@link VisitorRecord}): one state read before dedup (two for an event that would open a session while the
 * previous day's salt lives, see {@link #visitorOf}), one write after the session step. No Kafka Streams
 * types: the Streams topology and {@code replay} both host it. One instance per state owner (a Streams task,
 * or a replay run); not thread-safe. The {@link EnricherResources} it uses are thread-safe and may be shared.
 */
public final class EnrichmentPipeline {

    /** With timings on, one event in eight is timed: ~20 clock reads per event skewed the benchmark reporting them. */
    private static final int TIMED_EVENT_MASK = 7;

    private final EnricherConfig config;
    private final Clock clock;
    private final EnricherResources resources;
    private final StepTimings timings;
    private final Deduplicator dedup;
    private final Sessionizer sessionizer;
    private final DailySalts salts;
    private final TrackingParams strip;
    /** Whether the visitor store is kept: for sessions, for the ids of the dedup window, or both. */
    private final boolean keepsVisitors;
    /** How long a visitor's record outlives its latest event. */
    private final long visitorRetentionMs;
    /** How often {@link #expire} scans the visitor store: a 48th of the retention, one minute to half an hour. */
    private final Duration visitorScanInterval;
    private long nextVisitorScanMs;
    /** Events processed so far, and whether the current one is timed (a pipeline runs on one thread at a time). */
    private long eventNumber;
    private boolean timed;

    /** A pipeline with its own resources (one Yauaa analyzer per process is shared regardless). */
    public EnrichmentPipeline(EnricherConfig config, Clock clock) {
        this(config, clock, EnricherResources.create(config));
    }

    public EnrichmentPipeline(EnricherConfig config, Clock clock, EnricherResources resources) {
        this.config = config;
        this.clock = clock;
        this.resources = resources;
        this.timings = resources.timings();
        this.dedup = new Deduplicator(config.dedupWindow());
        this.sessionizer = new Sessionizer(config.sessionTimeout());
        this.salts = new DailySalts(config.saltZone());
        this.strip = new TrackingParams(config.stripParams());
        this.keepsVisitors = config.sessionsEnabled() || config.dedupEnabled();
        this.visitorRetentionMs = Math.max(config.sessionsEnabled() ? config.sessionTimeout().toMillis() : 0,
                config.dedupEnabled() ? config.dedupWindow().toMillis() : 0);
        this.visitorScanInterval = Duration.ofMillis(Math.max(Duration.ofMinutes(1).toMillis(),
                Math.min(Duration.ofMinutes(30).toMillis(), visitorRetentionMs / 48)));
    }

    /**
     * Processes one {@code footfall.raw} record value. Never throws for bad input or a failing step: that
     * becomes a bad record. Throws only {@link PipelineState.StateException}, when the host's state failed.
     *
     * @return the stored event, the bad record, or {@link Outcome#NONE} for a duplicate
     */
    public Outcome process(byte[] rawValue, PipelineState state) {
        timed = timings.on() && (++eventNumber & TIMED_EVENT_MASK) == 0;
        long t = startStep();
        Validation.Result valid = Validation.check(rawValue, clock.millis());
        stopStep(Step.VALIDATE, t);
        if (valid.bad() != null) {
            return Outcome.bad(valid.bad());
        }
        RawEvent event = valid.event();
        try {
            return enrich(event, state);
        } catch (PipelineState.StateException e) {
            throw e;
        } catch (RuntimeException e) {
            // A bug or a broken dependency must not stop the partition: record it and move on.
            return Outcome.bad(Validation.bad(rawValue, "processing_failed",
                    "enrichment failed: " + e.getClass().getSimpleName(), event.site(), clock.millis()).bad());
        }
    }

    private Outcome enrich(RawEvent event, PipelineState state) {
        // First: its campaign decides which session, and so which visitor's record, the event continues.
        long t = startStep();
        Enrichment.Page page = Enrichment.Page.of(event, strip, config.sourceParams());
        stopStep(Step.URL, t);

        t = startStep();
        // Truncated as the collector writes it; records from an older collector or another producer may hold the
        // full address, and neither the visitor id nor the location may depend on more than the network.
        String network = ClientIps.anonymise(event.clientIp());
        Visitor visitor = visitorOf(event, network, page.utm().campaign(), state);
        stopStep(Step.VISITOR, t);

        t = startStep();
        if (config.dedupEnabled()
                && !dedup.firstSighting(event.eventId(), event.receivedAt(), visitor.record().ids(), state.seenIds())) {
            stopStep(Step.DEDUP, t);
            return Outcome.NONE;
        }
        stopStep(Step.DEDUP, t);

        t = startStep();
        Referrer referrer = resources.referrers().classify(event.referrer(), page.url().host());
        stopStep(Step.REFERRER, t);

        t = startStep();
        UserAgentInfo ua = resources.userAgents().parse(event.userAgent());
        stopStep(Step.USER_AGENT, t);

        t = startStep();
        GeoLocation geo = resources.geo().locate(network);
        stopStep(Step.GEO, t);

        t = startStep();
        SessionState session = config.sessionsEnabled()
                ? sessionizer.next(visitor.record().session(), event.receivedAt(), page.utm().campaign()) : null;
        if (keepsVisitors) {
            state.sessions().put(visitor.key(), visitor.record().next(event.receivedAt(), session).toBytes());
        }
        stopStep(Step.SESSION, t);

        t = startStep();
        StoredEvent stored = Enrichment.apply(event, page, referrer, ua, geo, visitor.id(), session);
        stopStep(Step.BUILD, t);
        return Outcome.stored(stored);
    }

    /**
     * The visitor an event belongs to: the id the site sent, or the cookieless id of the event's day. When that
     * id has no active session, the event may still continue a session its client began before the salt's
     * midnight, under yesterday's id: then it is that visitor's (a session belongs to one visitor). Only events
     * that would open a session pay for the second id, and only while yesterday's salt lives; never a salt is
     * made for it.
     */
    private Visitor visitorOf(RawEvent event, String network, String campaign, PipelineState state) {
        if (event.visitorId() != null) {
            return Visitor.read(event.site(), event.visitorId(), keepsVisitors, state);
        }
        long at = event.receivedAt();
        Visitor today = Visitor.read(event.site(), VisitorIds.cookieless(salts.saltFor(at, state.salts()), event.site(),
                network, event.userAgent()), keepsVisitors, state);
        if (!config.sessionsEnabled() || sessionizer.active(today.record().session(), at)) {
            return today;
        }
        byte[] yesterdaysSalt = salts.previousSaltFor(at, state.salts());
        if (yesterdaysSalt == null) {
            return today;
        }
        Visitor yesterday = Visitor.read(event.site(), VisitorIds.cookieless(yesterdaysSalt, event.site(), network,
                event.userAgent()), keepsVisitors, state);
        return sessionizer.continues(yesterday.record().session(), at, campaign) ? yesterday : today;
    }

    /** A visitor's id, the key of its record in the visitor store, and the record (null when none is kept). */
    private record Visitor(String id, String key, VisitorRecord record) {
        static Visitor read(String site, String id, boolean kept, PipelineState state) {
            String key = site + '\u0000' + id;
            return new Visitor(id, key, kept ? VisitorRecord.read(state.sessions().get(key)) : null);
        }
    }

    private long startStep() {
        return timed ? System.nanoTime() : 0;
    }

    private void stopStep(Step step, long startNanos) {
        if (timed) {
            timings.add(step, System.nanoTime() - startNanos);
        }
    }

    /**
     * Deletes what no later event can use: visitors idle for longer than both the session timeout and the
     * dedup window (whichever steps are on) before {@code horizonMs}, and salts of days before the day before
     * it. The host passes the older of its clock and the newest receive time it has processed: while it works
     * through a backlog, the backlog's day keeps its salt (by the clock alone, each minute would destroy it and
     * the next event make a new one, giving every visitor of that day a new id, and a new session, every
     * minute). Hosts call it from a timer; the visitor scan reads the whole store, so it runs at most every
     * {@link #visitorScanInterval} (a 48th of the retention, one minute to half an hour), salts every time.
     */
    public Expired expire(PipelineState state, long horizonMs) {
        int visitors = 0;
        long now = clock.millis();
        if (keepsVisitors && now >= nextVisitorScanMs) {
            nextVisitorScanMs = now + visitorScanInterval.toMillis();
            visitors = expireVisitors(state, horizonMs);
        }
        int destroyed = salts.destroyOld(horizonMs, state.salts());
        return new Expired(visitors, destroyed);
    }

    /**
     * Deletes, now, the visitors idle for longer than the retention before {@code visitorHorizonMs}; for a host
     * that tracks event time itself ({@code replay}, which must not destroy salts by the wall clock: it
     * replays days whose salts it makes afresh).
     *
     * @return how many visitor records were deleted
     */
    public int expireVisitors(PipelineState state, long visitorHorizonMs) {
        if (!keepsVisitors) {
            return 0;
        }
        return state.sessions().deleteIf(
                (key, bytes) -> visitorHorizonMs - VisitorRecord.lastSeenMs(bytes) >= visitorRetentionMs);
    }

    /** How often {@link #expire} scans the visitor store. */
    public Duration visitorScanInterval() {
        return visitorScanInterval;
    }

    /**
     * Drops what the pipeline remembers of its state between events (today's salt). A host calls it when the
     * state was replaced under it: a Streams task re-initialised after an aborted transaction.
     */
    public void stateReplaced() {
        salts.forget();
    }

    /** What one {@link #expire} call deleted: visitor records and salts. */
    public record Expired(int sessions, int salts) {
    }

    public EnricherResources resources() {
        return resources;
    }
}
