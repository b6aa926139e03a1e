package io.footfall.collector.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        byte[] body = sent.get("beacons").get(0).get("body").toString().getBytes(StandardCharsets.UTF_8);
        BodyDecoder decoder = new BodyDecoder(new Limits(32 * 1024, 500, 1024 * 1024, 100, Set.of()));
        // sendBeacon with a string body sends text/plain;charset=UTF-8
        DecodedBatch batch = decoder.decode(body, body.length, "text/plain;charset=UTF-8", null, System.currentTimeMillis());
        assertEquals(java.util.List.of(), batch.rejected());
        assertEquals(3, batch.accepted().size());
    }
}
