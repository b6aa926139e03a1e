package io.footfall.enricher.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.core.event.BadEvent;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.enricher.RawEvents;
import io.footfall.enricher.geo.GeoLocatorTest;
import io.footfall.enricher.useragent.UserAgentInfo;
import io.footfall.enricher.useragent.YauaaParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every path through the topology, one record at a time, as a user would check it on the output topics. */
class EnricherTopologyTest {

    private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");
    private static final String IP = "203.0.113.7";

    private static TopologyFixture fixture() {
        return new TopologyFixture(Map.of(), T0);
    }

    @Test
    void aValidPageviewIsStoredWithEveryDerivedField() {
        try (TopologyFixture f = fixture()) {
            RawEvent e = RawEvents.pageview("https://Shop.test:443/shoes/red?size=9&fbclid=abc123&utm_source=news"
                    + "&utm_medium=email&utm_campaign=spring&utm_term=red+shoes&utm_content=hero#top", T0);
            f.send(e);
            StoredEvent s = f.onlyStored();
            assertEquals(e.eventId(), s.eventId());
            assertEquals("shop.test", s.host());
            assertEquals("/shoes/red", s.path());
            assertEquals("size=9&utm_source=news&utm_medium=email&utm_campaign=spring&utm_term=red+shoes&utm_content=hero",
                    s.query(), "fbclid is stripped, everything else kept");
            assertFalse(s.url().contains("fbclid"), s.url());
            assertEquals("news", s.utmSource());
            assertEquals("email", s.utmMedium());
            assertEquals("spring", s.utmCampaign());
            assertEquals("red shoes", s.utmTerm());
            assertEquals("hero", s.utmContent());
            assertEquals("direct", s.referrerType());
            assertNull(s.referrerHost());
            assertEquals("Chrome", s.browser());
            assertEquals("120", s.browserVersion(), "Yauaa reports what a reduced Chrome UA really tells");
            assertEquals("Windows", s.os());
            assertEquals("desktop", s.deviceType());
            assertFalse(s.isBot());
            assertTrue(s.visitorId().matches("[0-9a-f]{16}"), s.visitorId());
            assertEquals(1, s.sessionSeq());
            assertTrue(s.isNewSession());
            assertEquals("6", s.pipelineVersion());
            assertNull(s.country(), "no GeoIP database configured");
            assertTrue(f.badEvents().isEmpty());
        }
    }

    /**
     * A hash router's page (what the tracker's data-hash sends): the route is the page, its query's UTM parameters
     * are the campaign, and neither that query nor another fragment is stored.
     */
    @Test
    void aHashRoutersPageKeepsItsRouteAndCampaign() {
        try (TopologyFixture f = fixture()) {
            f.send(RawEvents.pageview("https://app.test/#/landing?utm_source=news&utm_campaign=spring&token=x", T0));
            f.send(RawEvents.pageview("https://app.test/docs?utm_source=ads#/a?utm_source=news", T0.plusSeconds(1)));
            f.send(RawEvents.pageview("https://app.test/cb#access_token=secret", T0.plusSeconds(2)));
            // The next view's referrer is the previous address, fragment included (data-hash): the same rule applies.
            f.send(RawEvents.withReferrer(RawEvents.pageview("https://app.test/#/b", T0.plusSeconds(3)), "https://app.test/cb#access_token=secret"));
            f.send(RawEvents.withReferrer(RawEvents.pageview("https://app.test/#/c", T0.plusSeconds(4)), "https://app.test/#/b?tab=2"));
            List<StoredEvent> stored = f.storedEvents();
            assertEquals(List.of("/#/landing", "/docs#/a", "/cb", "/#/b", "/#/c"), stored.stream().map(StoredEvent::path).toList());
            assertEquals(Arrays.asList(null, null, null, "https://app.test/cb", "https://app.test/#/b"),
                    stored.stream().map(StoredEvent::referrer).toList());
            stored = stored.subList(0, 3);
            assertEquals(List.of("https://app.test/#/landing", "https://app.test/docs?utm_source=ads#/a", "https://app.test/cb"),
                    stored.stream().map(StoredEvent::url).toList());
            assertEquals(Arrays.asList("news", "ads", null), stored.stream().map(StoredEvent::utmSource).toList(),
                    "the route's campaign only when the query has none");
            assertEquals(Arrays.asList("spring", null, null), stored.stream().map(StoredEvent::utmCampaign).toList());
            assertEquals(Arrays.asList(null, "utm_source=ads", null), stored.stream().map(StoredEvent::query).toList());
        }
    }

    static Stream<Arguments> invalidRecords() {
        String id = UUID.randomUUID().toString();
        String tail = ",\"received_at\":1773144000000,\"ip\":\"" + IP + "\",\"ua\":\"x\"}";
        String ok = "\"event_id\":\"" + id + "\",\"site\":\"shop.test\",\"type\":\"pageview\"";
        return Stream.of(
                Arguments.of("missing_site", "{\"event_id\":\"" + id + "\",\"type\":\"pageview\"" + tail),
                Arguments.of("invalid_site", "{\"event_id\":\"" + id + "\",\"site\":\"Shop Test!\",\"type\":\"pageview\"" + tail),
                Arguments.of("missing_type", "{\"event_id\":\"" + id + "\",\"site\":\"shop.test\"" + tail),
                Arguments.of("missing_name", "{\"event_id\":\"" + id + "\",\"site\":\"shop.test\",\"type\":\"event\"" + tail),
                Arguments.of("invalid_name", "{" + ok + ",\"name\":\"" + "n".repeat(129) + "\"" + tail),
                Arguments.of("invalid_url", "{" + ok + ",\"url\":\"ftp://shop.test/\"" + tail),
                Arguments.of("invalid_referrer", "{" + ok + ",\"referrer\":\"javascript:alert(1)\"" + tail),
                Arguments.of("invalid_title", "{" + ok + ",\"title\":\"" + "t".repeat(1025) + "\"" + tail),
                Arguments.of("missing_event_id", "{\"site\":\"shop.test\",\"type\":\"pageview\"" + tail),
                Arguments.of("invalid_event_id", "{\"event_id\":\"12345\",\"site\":\"shop.test\",\"type\":\"pageview\"" + tail),
                Arguments.of("invalid_visitor_id", "{" + ok + ",\"visitor_id\":\"" + "v".repeat(129) + "\"" + tail),
                Arguments.of("invalid_screen", "{" + ok + ",\"screen\":\"huge\"" + tail),
                Arguments.of("invalid_language", "{" + ok + ",\"language\":\"english!!\"" + tail),
                Arguments.of("invalid_timezone", "{" + ok + ",\"timezone\":\"Europe London\"" + tail),
                Arguments.of("missing_received_at", "{" + ok + ",\"ip\":\"" + IP + "\"}"),
                Arguments.of("unreadable", "{" + ok + ",\"screen\":5" + tail),
                Arguments.of("unreadable", "this is not json " + IP),
                Arguments.of("unreadable", "[{" + ok + tail + "]"),
                Arguments.of("empty_record", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRecords")
    void anInvalidRecordGoesToBadWithItsReasonAndWithoutTheIp(String reason, String json) {
        try (TopologyFixture f = fixture()) {
            f.sendRaw(json.getBytes(StandardCharsets.UTF_8));
            List<BadEvent> bad = f.badEvents();
            assertEquals(1, bad.size());
            BadEvent b = bad.get(0);
            assertEquals("enrich", b.stage());
            assertEquals(reason, b.reason());
            assertTrue(f.storedEvents().isEmpty());
            if (!json.isEmpty()) {
                assertFalse(b.payload().contains(IP), "the client IP must not leave the raw topic: " + b.payload());
                assertFalse(b.payload().contains("203.0.113"), b.payload());
            }
            if (json.startsWith("{")) {
                assertTrue(b.payload().contains("\"type\"") || b.payload().contains("\"site\""),
                        "the rest of the original payload is kept: " + b.payload());
            }
        }
    }

    @Test
    void poisonRecordsNeverStopThePartition() {
        try (TopologyFixture f = new TopologyFixture(Map.of(), T0, ua -> {
            if (ua.contains("boom")) {
                throw new IllegalStateException("parser failure for this user agent");
            }
            return UserAgentInfo.UNKNOWN;
        })) {
            f.raw.pipeInput(new byte[8], null, T0);
            f.sendRaw(new byte[]{(byte) 0xff, 0, 1, 2, (byte) 0x80});
            f.sendRaw("[".repeat(10_000).getBytes(StandardCharsets.UTF_8));
            f.sendRaw(("{\"site\":\"shop.test\",\"received_at\":" + "9".repeat(500) + "}").getBytes(StandardCharsets.UTF_8));
            RawEvent boom = RawEvents.pageview("https://shop.test/", T0);
            f.send(new RawEvent(boom.eventId(), boom.site(), boom.type(), null, boom.url(), null, null, null, null, null,
                    null, null, null, boom.receivedAt(), IP, "boom/1.0"));
            RawEvent fine = RawEvents.pageview("https://shop.test/after", T0.plusSeconds(1));
            f.send(fine);

            List<BadEvent> bad = f.badEvents();
            assertEquals(List.of("empty_record", "unreadable", "unreadable", "unreadable", "processing_failed"),
                    bad.stream().map(BadEvent::reason).toList());
            assertEquals(List.of(fine.eventId()), f.storedEvents().stream().map(StoredEvent::eventId).toList(),
                    "the record after the poison ones is processed");
        }
    }

    @Test
    void aDuplicateWithinTheWindowIsDroppedAndOneAfterItIsKept() {
        try (TopologyFixture f = new TopologyFixture(Map.of("enricher.dedup.window", "1h"), T0)) {
            RawEvent e = RawEvents.pageview("https://shop.test/", T0);
            f.send(e);
            f.send(at(e, T0.plusSeconds(59 * 60)));
            assertEquals(1, f.storedEvents().size(), "a retry 59 minutes later counts once");
            f.send(at(e, T0.plusSeconds(2 * 3600 + 1)));
            assertEquals(1, f.storedEvents().size(), "after the window the id is forgotten");
        }
    }

    @Test
    void withDedupDisabledDuplicatesPassNegativeControl() {
        try (TopologyFixture f = new TopologyFixture(Map.of("enricher.dedup.enabled", "false"), T0)) {
            RawEvent e = RawEvents.pageview("https://shop.test/", T0);
            f.send(e);
            f.send(at(e, T0.plusSeconds(1)));
            assertEquals(2, f.storedEvents().size());
        }
    }

    @Test
    void botsAreKeptAndMarked() {
        try (TopologyFixture f = fixture()) {
            RawEvent e = RawEvents.pageview("https://shop.test/", T0);
            f.send(withUa(e, RawEvents.GOOGLEBOT));
            StoredEvent s = f.onlyStored();
            assertTrue(s.isBot());
            assertEquals("robot", s.deviceType());
        }
    }

    @ParameterizedTest(name = "{1} from {0}")
    @MethodSource("referrers")
    void referrerTypes(String referrer, String type, String host, String term) {
        try (TopologyFixture f = fixture()) {
            f.send(RawEvents.withReferrer(RawEvents.pageview("https://shop.test/landing", T0), referrer));
            StoredEvent s = f.onlyStored();
            assertEquals(type, s.referrerType());
            assertEquals(host, s.referrerHost());
            assertEquals(term, s.utmTerm());
        }
    }

    static Stream<Arguments> referrers() {
        return Stream.of(
                Arguments.of(null, "direct", null, null),
                Arguments.of("https://shop.test/previous", "internal", "shop.test", null),
                Arguments.of("https://www.google.com/search?q=running+shoes&hl=en", "search", "www.google.com", "running shoes"),
                Arguments.of("https://duckduckgo.com/", "search", "duckduckgo.com", null),
                Arguments.of("https://l.facebook.com/l.php?u=x", "social", "l.facebook.com", null),
                Arguments.of("https://www.instagram.com/", "social", "www.instagram.com", null),
                Arguments.of("https://mail.google.com/mail/u/0/", "email", "mail.google.com", null),
                Arguments.of("https://someblog.example/post/1", "other", "someblog.example", null));
    }

    /**
     * One source per site however many hosts it sends visitors from: the referrer lists' name, else the host without
     * {@code www.}; none without a referrer, or from the site's own pages.
     */
    @ParameterizedTest(name = "{1} from {0}")
    @MethodSource("sources")
    void referrerSources(String referrer, String source) {
        try (TopologyFixture f = fixture()) {
            f.send(RawEvents.withReferrer(RawEvents.pageview("https://shop.test/landing", T0), referrer));
            assertEquals(source, f.onlyStored().referrerSource());
        }
    }

    static Stream<Arguments> sources() {
        return Stream.of(
                Arguments.of("https://www.google.co.uk/", "Google"),
                Arguments.of("https://google.com/search?q=shoes", "Google"),
                Arguments.of("https://www.google.de/", "Google"),
                Arguments.of("https://l.facebook.com/l.php?u=x", "Facebook"),
                Arguments.of("https://m.facebook.com/story", "Facebook"),
                Arguments.of("https://t.co/abc", "Twitter"),
                Arguments.of("https://x.com/someone/status/1", "Twitter"),
                Arguments.of("https://www.blog.example/post/1", "blog.example"),
                Arguments.of("https://blog.example/post/2", "blog.example"),
                Arguments.of(null, null),
                Arguments.of("https://shop.test/previous", null));
    }

    @Test
    void aSessionSplitsAfterThirtyMinutesOfInactivity() {
        try (TopologyFixture f = fixture()) {
            RawEvent first = RawEvents.pageview("https://shop.test/a", T0);
            f.send(first);
            f.send(next(first, T0.plus(Duration.ofMinutes(30))));
            List<StoredEvent> out = f.storedEvents();
            assertEquals(out.get(0).visitorId(), out.get(1).visitorId());
            assertNotEquals(out.get(0).sessionId(), out.get(1).sessionId());
            assertEquals(1, out.get(1).sessionSeq());
            assertTrue(out.get(1).isNewSession());
        }
    }

    @Test
    void aSessionContinuesAfterTwentyNineMinutes() {
        try (TopologyFixture f = fixture()) {
            RawEvent first = RawEvents.pageview("https://shop.test/a", T0);
            f.send(first);
            f.send(next(first, T0.plus(Duration.ofMinutes(29))));
            f.send(next(first, T0.plus(Duration.ofMinutes(58))));
            List<StoredEvent> out = f.storedEvents();
            assertEquals(1, out.stream().map(StoredEvent::sessionId).distinct().count());
            assertEquals(List.of(1, 2, 3), out.stream().map(StoredEvent::sessionSeq).toList());
            assertEquals(List.of(true, false, false), out.stream().map(StoredEvent::isNewSession).toList());
        }
    }

    @Test
    void theSessionTimeoutIsConfigurable() {
        try (TopologyFixture f = new TopologyFixture(Map.of("enricher.sessionTimeout", "10m"), T0)) {
            RawEvent first = RawEvents.pageview("https://shop.test/a", T0);
            f.send(first);
            f.send(next(first, T0.plus(Duration.ofMinutes(11))));
            assertEquals(2, f.storedEvents().stream().map(StoredEvent::sessionId).distinct().count());
        }
    }

    @Test
    void aNewCampaignStartsANewSessionAndUntaggedPagesContinueIt() {
        try (TopologyFixture f = fixture()) {
            RawEvent first = RawEvents.pageview("https://shop.test/?utm_campaign=spring", T0);
            f.send(first);
            f.send(RawEvents.withUrl(next(first, T0.plusSeconds(60)), "https://shop.test/?utm_campaign=summer"));
            f.send(RawEvents.withUrl(next(first, T0.plusSeconds(120)), "https://shop.test/cart"));
            f.send(RawEvents.withUrl(next(first, T0.plusSeconds(180)), "https://shop.test/?utm_campaign=summer"));
            List<StoredEvent> out = f.storedEvents();
            assertEquals(List.of(true, true, false, false), out.stream().map(StoredEvent::isNewSession).toList());
            assertEquals(out.get(1).sessionId(), out.get(3).sessionId());
        }
    }

    @Test
    void cookielessVisitorIdsRotateAtUtcMidnightAndOldSaltsAreDestroyed() {
        Instant beforeMidnight = Instant.parse("2026-03-10T23:59:59Z");
        try (TopologyFixture f = new TopologyFixture(Map.of(), beforeMidnight)) {
            RawEvent e = RawEvents.pageview("https://shop.test/", beforeMidnight.minusSeconds(3600));
            f.send(e);
            f.send(next(e, beforeMidnight));
            f.send(next(e, beforeMidnight.plus(Duration.ofMinutes(31))));
            List<StoredEvent> out = f.storedEvents();
            assertEquals(out.get(0).visitorId(), out.get(1).visitorId(), "same day, same id");
            assertNotEquals(out.get(1).visitorId(), out.get(2).visitorId(), "after midnight, a new salt");
            assertTrue(out.get(2).isNewSession());

            assertEquals(2, saltCount(f));
            f.clock.set(Instant.parse("2026-03-11T23:00:00Z"));
            f.driver.advanceWallClockTime(Duration.ofMinutes(2));
            assertEquals(2, saltCount(f), "yesterday's salt serves late events until the end of today");
            f.send(next(e, Instant.parse("2026-03-12T00:00:05Z")));
            f.driver.advanceWallClockTime(Duration.ofMinutes(2));
            assertEquals(List.of("2026-03-11", "2026-03-12"), saltDays(f), "the salt of the 10th is destroyed");
        }
    }

    @Test
    void theSaltZoneDecidesWhereMidnightIs() {
        Instant berlinMidnight = Instant.parse("2026-03-10T23:00:00Z");
        try (TopologyFixture f = new TopologyFixture(Map.of("enricher.saltZone", "Europe/Berlin"), berlinMidnight)) {
            // Visits 40 minutes apart, so that no session carries a visitor id over midnight.
            RawEvent e = RawEvents.pageview("https://shop.test/", berlinMidnight.minus(Duration.ofMinutes(20)));
            f.send(e);
            f.send(next(e, berlinMidnight.plus(Duration.ofMinutes(20))));
            f.send(next(e, Instant.parse("2026-03-10T23:50:00Z")));
            f.send(next(e, Instant.parse("2026-03-11T00:30:00Z")));
            List<StoredEvent> out = f.storedEvents();
            assertNotEquals(out.get(0).visitorId(), out.get(1).visitorId(), "Berlin's midnight");
            assertEquals(out.get(2).visitorId(), out.get(3).visitorId(), "UTC's midnight is not the salt's");
        }
    }

    /**
     * A session under way at the salt's midnight goes on: same session and visitor id, not a new session whose
     * entry page is mid-funnel and whose source is the site itself.
     */
    @Test
    void aSessionAtTheSaltsMidnightGoesOnUnderItsVisitorId() {
        Instant midnight = Instant.parse("2026-03-11T00:00:00Z");
        try (TopologyFixture f = new TopologyFixture(Map.of(), midnight)) {
            RawEvent first = RawEvents.pageview("https://shop.test/products", midnight.minus(Duration.ofMinutes(5)));
            f.send(first);
            f.send(RawEvents.withReferrer(RawEvents.withUrl(next(first, midnight.plus(Duration.ofMinutes(5))),
                    "https://shop.test/checkout"), "https://shop.test/products"));
            List<StoredEvent> out = f.storedEvents();
            assertEquals(out.get(0).sessionId(), out.get(1).sessionId());
            assertEquals(List.of(1, 2), out.stream().map(StoredEvent::sessionSeq).toList());
            assertEquals(List.of(true, false), out.stream().map(StoredEvent::isNewSession).toList());
            assertEquals(out.get(0).visitorId(), out.get(1).visitorId());
            assertEquals(List.of("2026-03-10", "2026-03-11"), saltDays(f));
            assertEquals(1, sessionCount(f), "the session's state stays in its visitor's record");
        }
    }

    @Test
    void idleSessionsAreExpiredFromTheStore() {
        // Without dedup a visitor's record holds only the session: it goes once the session timed out.
        try (TopologyFixture f = new TopologyFixture(Map.of("enricher.dedup.enabled", "false"), T0)) {
            RawEvent a = RawEvents.pageview("https://shop.test/", T0);
            f.send(a);
            f.send(RawEvents.withVisitor(next(a, T0.plusSeconds(60)), "site-visitor-1"));
            assertEquals(2, sessionCount(f));
            f.send(RawEvents.withVisitor(next(a, T0.plus(Duration.ofMinutes(31))), "site-visitor-1"));
            f.driver.advanceWallClockTime(Duration.ofMinutes(2));
            assertEquals(1, sessionCount(f), "the cookieless visitor idle for 31 minutes is gone");
        }
    }

    @Test
    void aVisitorIsKeptForTheDedupWindowSoARetryAfterTheSessionEndedStillCountsOnce() {
        try (TopologyFixture f = new TopologyFixture(Map.of("enricher.dedup.window", "3h"), T0)) {
            RawEvent a = RawEvents.pageview("https://shop.test/", T0);
            f.send(a);
            f.send(next(a, T0.plus(Duration.ofMinutes(90))));
            f.send(at(a, T0.plus(Duration.ofMinutes(100))));
            assertEquals(2, f.storedEvents().size(), "the retry 100 minutes later, after its session ended, is dropped");
            f.driver.advanceWallClockTime(Duration.ofMinutes(2));
            assertEquals(1, sessionCount(f), "kept: its ids are within the dedup window");
            f.send(RawEvents.withVisitor(next(a, T0.plus(Duration.ofMinutes(90 + 181))), "someone-else"));
            f.driver.advanceWallClockTime(Duration.ofMinutes(5));
            assertEquals(1, sessionCount(f), "the visitor idle for longer than the window is gone, the new one kept");
        }
    }

    @Test
    void aVisitorWithMoreIdsThanItsRecordHoldsStillHasEveryRetryDropped() {
        try (TopologyFixture f = fixture()) {
            RawEvent first = RawEvents.pageview("https://shop.test/", T0);
            List<RawEvent> sent = new java.util.ArrayList<>(List.of(first));
            f.send(first);
            int n = io.footfall.enricher.dedup.Deduplicator.CAPACITY * 2 + 5;
            for (int i = 1; i < n; i++) {
                RawEvent e = next(first, T0.plusSeconds(i));
                sent.add(e);
                f.send(e);
            }
            assertEquals(n, f.storedEvents().size());
            for (RawEvent e : sent) {
                f.send(at(e, T0.plusSeconds(n + 60)));
            }
            assertEquals(0, f.storedEvents().size(), "every retry, those in the record and those beyond it, is dropped");
            try (var overflow = f.driver.<String, byte[]>getWindowStore(EnricherTopology.SEEN_IDS_STORE).all()) {
                long spilled = 0;
                long keepers = 0;
                while (overflow.hasNext()) {
                    if (overflow.next().key.key().equals(StreamsState.SEGMENT_KEEPER)) {
                        keepers++;
                    } else {
                        spilled++;
                    }
                }
                assertEquals(n - io.footfall.enricher.dedup.Deduplicator.CAPACITY, spilled,
                        "only the ids beyond the record's capacity went to the overflow store");
                assertEquals(1, keepers, "one entry keeps the window's segment (its offset survives a clean stop)");
            }
        }
    }

    @Test
    void withAGeoDatabaseThePlaceIsStoredAndTheIpIsNot(@TempDir Path dir) throws Exception {
        Path db = GeoLocatorTest.cityDatabase(dir);
        try (TopologyFixture f = new TopologyFixture(Map.of("enricher.geoipDatabase", db.toString()), T0)) {
            RawEvent e = RawEvents.pageview("https://shop.test/", T0);
            f.send(new RawEvent(e.eventId(), e.site(), e.type(), null, e.url(), null, null, null, null, null, null, null,
                    null, e.receivedAt(), "192.0.2.77", e.userAgent()));
            StoredEvent s = f.onlyStored();
            assertEquals("DE", s.country());
            assertEquals("DE-BE", s.region());
            assertEquals("Berlin", s.city());
        }
    }

    @Test
    void aSiteVisitorIdIsKeptAsIs() {
        try (TopologyFixture f = fixture()) {
            f.send(RawEvents.withVisitor(RawEvents.pageview("https://shop.test/", T0), "customer-42"));
            assertEquals("customer-42", f.onlyStored().visitorId());
        }
    }

    private static long sessionCount(TopologyFixture f) {
        try (var all = f.driver.<String, byte[]>getKeyValueStore(EnricherTopology.SESSION_STORE).all()) {
            long n = 0;
            while (all.hasNext()) {
                all.next();
                n++;
            }
            return n;
        }
    }

    private static long saltCount(TopologyFixture f) {
        return saltDays(f).size();
    }

    private static List<String> saltDays(TopologyFixture f) {
        try (var all = f.driver.<String, byte[]>getKeyValueStore(EnricherTopology.SALT_STORE).all()) {
            List<String> days = new java.util.ArrayList<>();
            all.forEachRemaining(kv -> days.add(kv.key));
            return days;
        }
    }

    private static RawEvent at(RawEvent e, Instant receivedAt) {
        return new RawEvent(e.eventId(), e.site(), e.type(), e.name(), e.url(), e.referrer(), e.title(), e.clientTs(),
                e.visitorId(), e.screen(), e.language(), e.timezone(), e.props(), receivedAt.toEpochMilli(), e.clientIp(),
                e.userAgent());
    }

    /** The same visitor's next event: a new id at a later time. */
    private static RawEvent next(RawEvent e, Instant receivedAt) {
        return at(e, receivedAt).withEventId(UUID.randomUUID().toString());
    }

    private static RawEvent withUa(RawEvent e, String ua) {
        return new RawEvent(e.eventId(), e.site(), e.type(), e.name(), e.url(), e.referrer(), e.title(), e.clientTs(),
                e.visitorId(), e.screen(), e.language(), e.timezone(), e.props(), e.receivedAt(), e.clientIp(), ua);
    }

    @Test
    void yauaaIsBuiltOncePerProcess() {
        assertTrue(YauaaParser.shared() == YauaaParser.shared());
    }
}
