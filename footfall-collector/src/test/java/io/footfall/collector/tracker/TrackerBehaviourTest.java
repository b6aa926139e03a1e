package io.footfall.collector.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.footfall.collector.decode.BodyDecoder;
import io.footfall.collector.decode.DecodedBatch;
import io.footfall.collector.decode.Limits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * footfall.js run by node against a minimal fake browser (history, beacons, visibility, GPC), and what it
 * sends fed to the collector's own decoder. Needs {@code node} on the PATH (skipped, not failed, without
 * it); the real-browser check is a separate test.
 */
class TrackerBehaviourTest {

    static JsonNode sent;

    @BeforeAll
    static void runInNode(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("node"), "node is not installed");
        Path script = dir.resolve("footfall.js");
        Files.write(script, TrackerScript.load().plain());
        Path harness = dir.resolve("fake-browser.js");
        try (var in = TrackerBehaviourTest.class.getResourceAsStream("/tracker/fake-browser.js")) {
            Files.write(harness, in.readAllBytes());
        }
        Process node = new ProcessBuilder("node", harness.toString(), script.toString()).redirectErrorStream(true).start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!node.waitFor(30, TimeUnit.SECONDS) || node.exitValue() != 0) {
            throw new AssertionError("node failed: " + out);
        }
        sent = new ObjectMapper().readTree(out);
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void queuesUntilThePageIsHiddenThenSendsOneBeacon() {
        assertEquals(0, sent.get("sentBeforeHidden").asInt());
        assertEquals(1, sent.get("beacons").size());
        assertEquals("https://collector.test/v1/events", sent.get("beacons").get(0).get("url").asText());
    }

    @Test
    void pageViewOnLoadAndOnPushStateButNotOnASameUrlReplaceState() {
        JsonNode events = sent.get("beacons").get(0).get("body");
        assertEquals(3, events.size());
        assertEquals("pageview", events.get(0).get("type").asText());
        assertEquals("https://shop.test/a?x=1", events.get(0).get("url").asText());
        assertEquals("https://search.test/", events.get(0).get("referrer").asText());
        assertEquals("pageview", events.get(1).get("type").asText());
        assertEquals("https://shop.test/b", events.get(1).get("url").asText());
        assertEquals("https://shop.test/a?x=1", events.get(1).get("referrer").asText(), "the SPA's previous page");
    }

    @Test
    void customEventCarriesNameAndProps() {
        JsonNode event = sent.get("beacons").get(0).get("body").get(2);
        assertEquals("event", event.get("type").asText());
        assertEquals("signup", event.get("name").asText());
        assertEquals("pro", event.get("props").get("plan").asText());
    }

    @Test
    void globalPrivacyControlIsHonouredOnlyWhenTheSiteAsks() {
        assertEquals(0, sent.get("gpcRespected").asInt());
        assertEquals(1, sent.get("gpcNotAsked").asInt());
    }

    @Test
    void dataApiOverridesTheEndpoint() {
        assertEquals("https://other.test/v1/events", sent.get("apiUrl").asText());
    }

    @Test
    void outboundLinkClicksAreEventsOnlyWhenTheSiteAsks() {
        assertEquals(1, sent.get("outboundSentAtOnce").asInt(), "sent with the click, before the page goes");
        JsonNode events = sent.get("outbound");
        assertEquals(2, events.size(), events.toString());
        assertEquals("Outbound Link: Click", events.get(0).get("name").asText());
        assertEquals("https://docs.other.test/guide?x=1", events.get(0).get("props").get("url").asText());
        assertEquals("http://partner.test/", events.get(1).get("props").get("url").asText());
        assertEquals(false, sent.get("plainListensForClicks").asBoolean());
    }

    @Test
    void theCollectorAcceptsEverythingTheTrackerSends() throws Exception {
        for (String scenario : new String[] {"beacons", "props", "spa", "search", "hashSearch", "app", "badScheme", "twice", "hash", "manual", "extra", "files", "both"}) {
            JsonNode events = scenario.equals("beacons") ? sent.get("beacons").get(0).get("body") : sent.get(scenario);
            byte[] body = events.toString().getBytes(StandardCharsets.UTF_8);
            BodyDecoder decoder = new BodyDecoder(new Limits(32 * 1024, 500, 1024 * 1024, 100, Set.of()));
            // sendBeacon with a string body sends text/plain;charset=UTF-8
            DecodedBatch batch = decoder.decode(body, body.length, "text/plain;charset=UTF-8", null, System.currentTimeMillis());
            assertEquals(java.util.List.of(), batch.rejected(), scenario);
            assertEquals(events.size(), batch.accepted().size(), scenario);
        }
    }

    @Test
    void propsAreTakenWhenTheEventIsTrackedNotWhenItIsSent() {
        JsonNode events = sent.get("props");
        assertEquals("{\"step\":1}", events.get(1).get("props").toString());
        assertEquals("{\"step\":2}", events.get(2).get("props").toString());
    }

    /** A prop the collector would refuse (and one JSON cannot even write) would lose the whole batch: it is left out. */
    @Test
    void whatTheCollectorWouldRefuseIsLeftOutWithAWarning() {
        JsonNode events = sent.get("props");
        assertEquals(7, events.size(), "the page view and every event: " + events);
        JsonNode odd = events.get(3).get("props");
        assertEquals(List.of("ok", "when", "long"), fieldNames(odd));
        assertEquals("2026-11-28T00:00:00.000Z", odd.get("when").asText(), "a date as its ISO text");
        assertEquals(1024, odd.get("long").asText().length(), "a long text cut to the collector's 1,024");
        assertEquals(128, events.get(4).get("name").asText().length(), "a long name cut to the collector's 128");
        assertEquals(false, events.get(5).has("props"), "an array is not props");
        List<String> warnings = new java.util.ArrayList<>();
        sent.get("propWarnings").forEach(w -> warnings.add(w.asText().split(" ")[2]));
        assertEquals(List.of("p0", "p1", "p2", "p3", "p4"), fieldNames(events.get(6).get("props")), "6,000 characters of props");
        List<String> expected = new java.util.ArrayList<>(List.of("self", "big", "list", "nested", "nan", "k".repeat(65), ""));
        for (int i = 5; i < 32; i++) {
            expected.add("p" + i);
        }
        assertEquals(expected, warnings);
    }

    @Test
    void aBatchLargerThanABeaconCarriesIsSplit() {
        assertEquals(51, sent.get("bigEvents").asInt(), "the page view and 50 events");
        assertEquals(5, sent.get("bigBeacons").size());
        sent.get("bigBeacons").forEach(n -> assertTrue(n.asInt() < 20_000, "a beacon of " + n + " characters"));
    }

    @Test
    void aRoutersViewHasItsTitleAFragmentIsNoPageAndAViewComesBeforeTheEventsOnIt() {
        JsonNode events = sent.get("spa");
        assertEquals(4, events.size(), events.toString());
        assertEquals("https://shop.test/pricing", events.get(1).get("url").asText());
        assertEquals("Pricing", events.get(1).get("title").asText(), "the title the router set after the URL");
        assertEquals("https://shop.test/about", events.get(2).get("url").asText(), "no view for #faq");
        assertEquals("pageview", events.get(2).get("type").asText());
        assertEquals("Contact", events.get(3).get("name").asText());
        assertEquals("https://shop.test/pricing", events.get(3).get("referrer").asText(), "an event's referrer is its page's");
    }

    /** A query written with replaceState (a search box) is not a new page; a push or a path change is. */
    @Test
    void replaceStateIsAViewOnlyWhenThePathChanges() {
        assertEquals(List.of("https://shop.test/a?x=1", "https://shop.test/search", "https://shop.test/login?next=%2Fsearch",
                "https://shop.test/login?next=%2Faccount"), urls(sent.get("search")), "one view for four keystrokes' replaceState");
        assertEquals(List.of("https://shop.test/#/inbox", "https://shop.test/#/settings"), urls(sent.get("hashSearch")),
                "data-hash: another route is a view, the route's own query is not");
    }

    @Test
    void anAndroidAppIsSentAsTheReferrerAndOtherSchemesAreLeftOut() {
        assertEquals("android-app://com.google.android.gm/", sent.get("app").get(0).get("referrer").asText());
        assertEquals(false, sent.get("badScheme").get(0).has("referrer"), sent.get("badScheme").toString());
        assertEquals(1, sent.get("badScheme").size(), "the view itself is sent");
    }

    private static List<String> urls(JsonNode events) {
        List<String> urls = new java.util.ArrayList<>();
        events.forEach(e -> urls.add(e.get("type").asText().equals("pageview") ? e.get("url").asText() : e.toString()));
        return urls;
    }

    @Test
    void includedTwiceItCountsOnceAndQueuedCallsComeAfterTheLoadsView() {
        JsonNode events = sent.get("twice");
        assertEquals(3, events.size(), events.toString());
        assertEquals("pageview", events.get(0).get("type").asText());
        assertEquals("Early", events.get(1).get("name").asText());
        assertEquals("https://shop.test/next", events.get(2).get("url").asText());
    }

    @Test
    void withoutDataSiteItSaysSo() {
        assertEquals("[\"footfall.js: no data-site attribute: nothing is tracked\"]", sent.get("noSite").get("warnings").toString());
    }

    @Test
    void withDataHashEachFragmentIsAPageOnceForAChangeBrowsersReportTwice() {
        JsonNode events = sent.get("hash");
        assertEquals(List.of("pageview https://shop.test/#/inbox", "pageview https://shop.test/#/settings",
                "pageview https://shop.test/#/profile", "pageview https://shop.test/#/billing", "event https://shop.test/#/billing"), typesAndUrls(events));
        assertEquals("https://shop.test/#/inbox", events.get(1).get("referrer").asText());
        assertEquals(false, sent.get("plainListensForHashchange").asBoolean());
    }

    @Test
    void withDataManualOnlyTheSitesViewsAreSentAndTheRealUrlNeverLeaves() {
        assertEquals(0, sent.get("manualSentUnasked").asInt(), "no view on load or on pushState");
        JsonNode events = sent.get("manual");
        assertEquals(List.of("pageview https://shop.test/user/:id", "event https://shop.test/user/:id",
                "event https://shop.test/user/:id", "pageview https://shop.test/user/:id", "pageview https://shop.test/user/43"),
                typesAndUrls(events));
        assertEquals("https://shop.test/", events.get(0).get("referrer").asText(), "the site's previous page by its origin");
        assertEquals("Outbound Link: Click", events.get(2).get("name").asText());
        assertEquals("https://shop.test/user/:id", events.get(3).get("referrer").asText());
        assertEquals("https://shop.test/user/:id", events.get(4).get("referrer").asText());
        for (int i = 0; i < 4; i++) {
            assertFalse(events.get(i).toString().contains("/user/4"), "the real address in " + events.get(i));
        }
        assertEquals(List.of("footfall.js: pageview url not http(s): javascript:alert(1)",
                "footfall.js: pageview url not http(s): http://[::1", "footfall.js: pageview url not http(s): undefined",
                "footfall.js: pageview url not http(s): "), texts(sent.get("manualWarnings")));
    }

    @Test
    void withoutDataManualAViewUnderAnotherAddressIsOneMoreView() {
        JsonNode events = sent.get("extra");
        assertEquals(List.of("pageview https://shop.test/a?x=1", "pageview https://shop.test/a?step=2",
                "event https://shop.test/a?step=2", "pageview https://shop.test/b", "pageview https://shop.test/c",
                "pageview https://shop.test/c/:id"), typesAndUrls(events));
        assertEquals("https://shop.test/a?step=2", events.get(3).get("referrer").asText());
    }

    @Test
    void fileDownloadsAreEventsByTheLinksExtensionOnlyWhenTheSiteAsks() {
        assertEquals(1, sent.get("fileSentAtOnce").asInt(), "sent with the click, before the page goes");
        assertEquals(List.of("File Download https://shop.test/files/report.PDF", "File Download https://cdn.other.test/app.dmg?v=2",
                "File Download https://shop.test/a.zip"), namesAndPropUrls(sent.get("files")));
        assertEquals(List.of("File Download https://cdn.other.test/setup.exe", "Outbound Link: Click https://other.test/"),
                namesAndPropUrls(sent.get("both")), "a file on another host is one event");
    }

    private static List<String> typesAndUrls(JsonNode events) {
        List<String> out = new java.util.ArrayList<>();
        events.forEach(e -> out.add(e.get("type").asText() + " " + e.get("url").asText()));
        return out;
    }

    private static List<String> namesAndPropUrls(JsonNode events) {
        List<String> out = new java.util.ArrayList<>();
        events.forEach(e -> out.add(e.get("name").asText() + " " + e.get("props").get("url").asText()));
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(t -> out.add(t.asText()));
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
