package io.footfall.enricher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The cookieless visitor id rotates at the salt's midnight; a session under way then goes on under the id it
 * began with, as long as yesterday's salt lives. Hosted in memory, as {@code replay} hosts the pipeline.
 */
class SessionsAcrossMidnightTest {

    private static final Instant MIDNIGHT = Instant.parse("2026-03-11T00:00:00Z");
    private static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

    private final MutableClock clock = new MutableClock(MIDNIGHT);
    private InMemoryState state = new InMemoryState();
    private EnrichmentPipeline pipeline = pipeline(Map.of());

    private EnrichmentPipeline pipeline(Map<String, String> settings) {
        return new EnrichmentPipeline(EnricherConfig.from(Settings.of(settings)), clock);
    }

    @Test
    void aSessionAtMidnightGoesOnUnderTheVisitorItBeganWith() {
        StoredEvent before = send(page("/products", MIDNIGHT.minus(Duration.ofMinutes(5))));
        StoredEvent after = send(page("/checkout", MIDNIGHT.plus(Duration.ofMinutes(5))));
        assertEquals(before.sessionId(), after.sessionId(), "one session across midnight");
        assertEquals(List.of(1, 2), List.of(before.sessionSeq(), after.sessionSeq()));
        assertFalse(after.isNewSession());
        assertEquals(before.visitorId(), after.visitorId(), "a session belongs to one visitor");
        assertEquals(2, state.saltCount());
        assertEquals(1, state.sessionCount(), "its state stays in the record of the visitor it began with");
    }

    /** Its events after midnight go on past the session timeout: each is found under yesterday's id. */
    @Test
    void aSessionGoingOnLongAfterMidnightStaysOneAndItsNextVisitIsTodaysVisitor() {
        RawEvent first = page("/", MIDNIGHT.minus(Duration.ofMinutes(5)));
        StoredEvent opened = send(first);
        List<StoredEvent> later = List.of(send(next(first, MIDNIGHT.plus(Duration.ofMinutes(20)))),
                send(next(first, MIDNIGHT.plus(Duration.ofMinutes(45)))),
                send(next(first, MIDNIGHT.plus(Duration.ofMinutes(70)))));
        assertEquals(List.of(2, 3, 4), later.stream().map(StoredEvent::sessionSeq).toList());
        assertTrue(later.stream().allMatch(e -> e.sessionId().equals(opened.sessionId())
                && e.visitorId().equals(opened.visitorId())));

        StoredEvent nextVisit = send(next(first, MIDNIGHT.plus(Duration.ofHours(3))));
        assertTrue(nextVisit.isNewSession());
        assertNotEquals(opened.visitorId(), nextVisit.visitorId(), "the id rotated at midnight all the same");
    }

    @Test
    void aGapLongerThanTheTimeoutAcrossMidnightIsANewSessionOfANewVisitor() {
        StoredEvent before = send(page("/", MIDNIGHT.minus(Duration.ofMinutes(50))));
        StoredEvent after = send(page("/", MIDNIGHT.plus(Duration.ofMinutes(5))));
        assertNotEquals(before.sessionId(), after.sessionId());
        assertTrue(after.isNewSession());
        assertNotEquals(before.visitorId(), after.visitorId());
    }

    @Test
    void anotherUserAgentOnTheSameNetworkIsAnotherVisitor() {
        StoredEvent chrome = send(page("/", MIDNIGHT.minus(Duration.ofMinutes(5))));
        RawEvent firefox = page("/", MIDNIGHT.plus(Duration.ofMinutes(5)));
        StoredEvent other = send(new RawEvent(firefox.eventId(), firefox.site(), firefox.type(), null, firefox.url(), null,
                null, null, null, null, null, null, null, firefox.receivedAt(), firefox.clientIp(), FIREFOX));
        assertNotEquals(chrome.visitorId(), other.visitorId());
        assertTrue(other.isNewSession());
    }

    @Test
    void anotherCampaignAfterMidnightStartsTodaysSession() {
        StoredEvent spring = send(page("/?utm_campaign=spring", MIDNIGHT.minus(Duration.ofMinutes(5))));
        StoredEvent summer = send(page("/?utm_campaign=summer", MIDNIGHT.plus(Duration.ofMinutes(5))));
        assertTrue(summer.isNewSession());
        assertNotEquals(spring.visitorId(), summer.visitorId());
        StoredEvent untagged = send(page("/cart", MIDNIGHT.plus(Duration.ofMinutes(6))));
        assertEquals(summer.sessionId(), untagged.sessionId(), "today's session, not yesterday's, goes on");
    }

    @Test
    void theMidnightIsTheSaltZones() {
        pipeline = pipeline(Map.of("enricher.saltZone", "America/New_York"));
        Instant newYorkMidnight = Instant.parse("2026-03-11T04:00:00Z");
        StoredEvent before = send(page("/", newYorkMidnight.minus(Duration.ofMinutes(5))));
        StoredEvent after = send(page("/", newYorkMidnight.plus(Duration.ofMinutes(5))));
        assertEquals(before.sessionId(), after.sessionId());
        assertEquals(before.visitorId(), after.visitorId());
        assertEquals(List.of(1, 2), List.of(before.sessionSeq(), after.sessionSeq()));

        RawEvent late = page("/", newYorkMidnight.plus(Duration.ofHours(2)));
        StoredEvent today = send(late);
        assertNotEquals(before.visitorId(), today.visitorId(), "New York's midnight rotated the id");
    }

    /** A retry of the last event before midnight, sent after it, belongs to the same visitor and is dropped. */
    @Test
    void aRetryAcrossMidnightIsDroppedWhileItsSessionGoesOn() {
        RawEvent original = page("/", MIDNIGHT.minus(Duration.ofMinutes(1)));
        send(original);
        RawEvent retry = new RawEvent(original.eventId(), original.site(), original.type(), null, original.url(), null,
                null, null, null, null, null, null, null, MIDNIGHT.plus(Duration.ofMinutes(1)).toEpochMilli(),
                original.clientIp(), original.userAgent());
        assertSame(Outcome.NONE, pipeline.process(RawEvents.bytes(retry), state));
    }

    /**
     * Yesterday's salt is destroyed (the enricher's timer has moved past the day after it): the session cannot be
     * found, the event behaves as without yesterday, and no salt is made for the lookup.
     */
    @Test
    void withoutYesterdaysSaltANewSessionStartsAndNoSaltIsMade() {
        pipeline = pipeline(Map.of("enricher.dedup.window", "3d"));
        StoredEvent before = send(page("/", MIDNIGHT.minus(Duration.ofMinutes(5))));
        // Another client after midnight: the pipeline has read yesterday's salt before it is destroyed.
        RawEvent other = page("/", MIDNIGHT.plus(Duration.ofMinutes(1)));
        send(new RawEvent(other.eventId(), other.site(), other.type(), null, other.url(), null, null, null, null, null,
                null, null, null, other.receivedAt(), other.clientIp(), FIREFOX));
        assertEquals(1, pipeline.expire(state, MIDNIGHT.plus(Duration.ofDays(1)).toEpochMilli()).salts());
        StoredEvent after = send(page("/", MIDNIGHT.plus(Duration.ofMinutes(5))));
        assertTrue(after.isNewSession());
        assertNotEquals(before.visitorId(), after.visitorId());
        assertEquals(1, state.saltCount(), "only the salt of the event's own day");

        StoredEvent twoDaysOn = send(page("/", MIDNIGHT.plus(Duration.ofDays(2)).plus(Duration.ofMinutes(1))));
        assertTrue(twoDaysOn.isNewSession());
        assertEquals(2, state.saltCount(), "the day before it had no event: its salt is not made");
    }

    /**
     * {@code replay}: days long gone, by the clock, whose salts it makes afresh from the events. The session goes on
     * across the replayed midnight; a replay that begins after a midnight makes no salt for the day before.
     */
    @Test
    void aReplayContinuesTheSessionAndMakesNoSaltForTheDayBeforeItsFirstEvent() {
        clock.set(MIDNIGHT.plus(Duration.ofDays(30)));
        StoredEvent before = send(page("/", MIDNIGHT.minus(Duration.ofMinutes(5))));
        StoredEvent after = send(page("/", MIDNIGHT.plus(Duration.ofMinutes(5))));
        assertEquals(before.sessionId(), after.sessionId());
        assertEquals(before.visitorId(), after.visitorId());

        state = new InMemoryState();
        pipeline = pipeline(Map.of());
        assertTrue(send(page("/", MIDNIGHT.plus(Duration.ofMinutes(5)))).isNewSession());
        assertEquals(1, state.saltCount());
    }

    private StoredEvent send(RawEvent e) {
        StoredEvent stored = pipeline.process(RawEvents.bytes(e), state).stored();
        if (stored == null) {
            throw new AssertionError("not stored: " + e);
        }
        return stored;
    }

    private static RawEvent page(String path, Instant receivedAt) {
        return RawEvents.pageview("https://shop.test" + path, receivedAt);
    }

    private static RawEvent next(RawEvent e, Instant receivedAt) {
        return new RawEvent(UUID.randomUUID().toString(), e.site(), e.type(), e.name(), e.url(), e.referrer(), e.title(),
                e.clientTs(), e.visitorId(), e.screen(), e.language(), e.timezone(), e.props(), receivedAt.toEpochMilli(),
                e.clientIp(), e.userAgent());
    }
}
