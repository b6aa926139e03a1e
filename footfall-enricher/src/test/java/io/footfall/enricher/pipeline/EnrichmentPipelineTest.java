package io.footfall.enricher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.config.Settings;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.enricher.MutableClock;
import io.footfall.enricher.RawEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The pipeline hosted in memory, as {@code replay} hosts it. */
class EnrichmentPipelineTest {

    private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final EnricherConfig config = EnricherConfig.from(Settings.of(Map.of()));

    @Test
    void processesDedupsAndExpiresInMemory() {
        EnrichmentPipeline pipeline = new EnrichmentPipeline(config, clock);
        InMemoryState state = new InMemoryState();
        RawEvent e = RawEvents.pageview("https://shop.test/", T0);
        Outcome first = pipeline.process(RawEvents.bytes(e), state);
        assertNotNull(first.stored());
        assertSame(Outcome.NONE, pipeline.process(RawEvents.bytes(e), state), "a duplicate is dropped");
        assertNotNull(pipeline.process(new byte[]{1, 2}, state).bad());
        assertEquals(1, state.sessionCount());

        clock.set(T0.plus(Duration.ofDays(2)));
        EnrichmentPipeline.Expired expired = pipeline.expire(state, clock.millis());
        assertEquals(1, expired.sessions());
        assertEquals(1, expired.salts());
        assertEquals(0, state.sessionCount());
        assertEquals(0, state.saltCount());
    }

    /**
     * An enricher back after two days works through the backlog of the first: that day's salt lives until the
     * backlog has moved past it, so a visitor keeps one id and one session however long the catch-up takes.
     */
    @Test
    void aBacklogsDayKeepsItsSaltWhileTheEnricherCatchesUp() {
        EnrichmentPipeline pipeline = new EnrichmentPipeline(config, clock);
        InMemoryState state = new InMemoryState();
        clock.set(T0.plus(Duration.ofHours(45)));
        RawEvent first = RawEvents.pageview("https://shop.test/", T0);
        StoredEvent stored = pipeline.process(RawEvents.bytes(first), state).stored();
        // The processor's timer: its horizon is the older of the clock and the newest event processed.
        pipeline.expire(state, Math.min(clock.millis(), first.receivedAt()));
        clock.set(T0.plus(Duration.ofHours(45).plusMinutes(1)));
        RawEvent next = RawEvents.pageview("https://shop.test/b", T0.plus(Duration.ofMinutes(5)))
                .withEventId(UUID.randomUUID().toString());
        StoredEvent later = pipeline.process(RawEvents.bytes(next), state).stored();
        assertEquals(stored.visitorId(), later.visitorId());
        assertEquals(stored.sessionId(), later.sessionId());
        assertEquals(1, state.saltCount());
        // Once the events are two days on, the day's salt goes.
        assertEquals(1, pipeline.expire(state, T0.plus(Duration.ofDays(2)).toEpochMilli()).salts());
    }

    @Test
    void theCookielessVisitorIdSeesTheClientsNetworkNotItsAddress() {
        EnrichmentPipeline pipeline = new EnrichmentPipeline(config, clock);
        InMemoryState state = new InMemoryState();
        RawEvent base = RawEvents.pageview("https://shop.test/", T0);
        java.util.function.Function<String, String> visitorOf = ip -> pipeline.process(RawEvents.bytes(
                new RawEvent(UUID.randomUUID().toString(), base.site(), base.type(), null, base.url(), null, null, null, null,
                        null, null, null, null, base.receivedAt(), ip, base.userAgent())), state).stored().visitorId();
        String network = visitorOf.apply("203.0.113.0");
        assertEquals(network, visitorOf.apply("203.0.113.7"), "a full address written by an older collector");
        assertEquals(network, visitorOf.apply("203.0.113.254"));
        assertEquals(network, visitorOf.apply("::ffff:203.0.113.9"));
        assertTrue(!network.equals(visitorOf.apply("203.0.114.7")), "another /24 is another visitor");
        String v6 = visitorOf.apply("2001:db8:1:2::7");
        assertEquals(v6, visitorOf.apply("2001:db8:1:ffff::1"), "one /48");
        assertTrue(!v6.equals(visitorOf.apply("2001:db8:2::7")), "another /48 is another visitor");
    }

    @Test
    void visitorsAreKeptForTheLongerOfSessionTimeoutAndDedupWindow() {
        EnrichmentPipeline pipeline = new EnrichmentPipeline(config, clock);
        InMemoryState state = new InMemoryState();
        pipeline.process(RawEvents.bytes(RawEvents.pageview("https://shop.test/", T0)), state);
        assertEquals(0, pipeline.expireVisitors(state, T0.plus(Duration.ofHours(23)).toEpochMilli()),
                "past the session timeout but within the 24 h dedup window");
        assertEquals(1, pipeline.expireVisitors(state, T0.plus(Duration.ofHours(24)).toEpochMilli()));
        assertEquals(0, state.sessionCount());
        assertEquals(Duration.ofMinutes(30), pipeline.visitorScanInterval(), "a 48th of 24 h, capped at 30 minutes");

        EnrichmentPipeline sessionsOnly = new EnrichmentPipeline(EnricherConfig.from(Settings.of(Map.of(
                "enricher.dedup.enabled", "false"))), clock);
        sessionsOnly.process(RawEvents.bytes(RawEvents.pageview("https://shop.test/", T0)), state);
        assertEquals(1, sessionsOnly.expireVisitors(state, T0.plus(Duration.ofMinutes(30)).toEpochMilli()));
        assertEquals(Duration.ofMinutes(1), sessionsOnly.visitorScanInterval());
    }

    @Test
    void inMemoryIdsAreForgottenAfterTheirRetention() {
        EnrichmentPipeline pipeline = new EnrichmentPipeline(config, clock);
        InMemoryState state = new InMemoryState(Duration.ofHours(1).toMillis());
        RawEvent e = RawEvents.pageview("https://shop.test/", T0);
        pipeline.process(RawEvents.bytes(e), state);
        RawEvent later = RawEvents.pageview("https://shop.test/", T0.plus(Duration.ofHours(30)));
        pipeline.process(RawEvents.bytes(later.withEventId(UUID.randomUUID().toString())), state);
        RawEvent again = new RawEvent(e.eventId(), e.site(), e.type(), null, e.url(), null, null, null, null, null, null,
                null, null, later.receivedAt(), e.clientIp(), e.userAgent());
        assertNotNull(pipeline.process(RawEvents.bytes(again), state).stored(), "30 h later the id is new again");
    }

    @Test
    void aStateFailureIsRethrownNotJudgedAsABadRecord() {
        EnrichmentPipeline pipeline = new EnrichmentPipeline(config, clock);
        InMemoryState healthy = new InMemoryState();
        PipelineState broken = new PipelineState() {
            @Override
            public Store sessions() {
                throw new StateException(new IllegalStateException("store closed by a rebalance"));
            }

            @Override
            public Store salts() {
                return healthy.salts();
            }

            @Override
            public SeenIds seenIds() {
                return healthy.seenIds();
            }
        };
        byte[] raw = RawEvents.bytes(RawEvents.pageview("https://shop.test/", T0));
        PipelineState.StateException e = org.junit.jupiter.api.Assertions.assertThrows(PipelineState.StateException.class,
                () -> pipeline.process(raw, broken));
        assertEquals("store closed by a rebalance", e.getCause().getMessage());
    }

    @Test
    void disabledStepsLeaveTheirFieldsEmpty() {
        EnricherConfig off = EnricherConfig.from(Settings.of(Map.of("enricher.userAgent.enabled", "false",
                "enricher.bots.enabled", "false", "enricher.referrer.enabled", "false", "enricher.sessions.enabled", "false",
                "enricher.dedup.enabled", "false", "enricher.stripParams", "")));
        EnrichmentPipeline pipeline = new EnrichmentPipeline(off, clock);
        RawEvent e = RawEvents.withReferrer(RawEvents.pageview("https://shop.test/?gclid=1", T0), "https://www.google.com/");
        var stored = pipeline.process(RawEvents.bytes(e), new InMemoryState()).stored();
        assertNull(stored.browser());
        assertEquals("other", stored.referrerType());
        assertNull(stored.sessionId());
        assertEquals("gclid=1", stored.query());
        assertTrue(pipeline.process(RawEvents.bytes(e), new InMemoryState()).stored() != null);
    }
}
