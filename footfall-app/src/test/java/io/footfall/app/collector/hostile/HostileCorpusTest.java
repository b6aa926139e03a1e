package io.footfall.app.collector.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The corpus runner's own parts, without a collector: every data file parses and expands, and the
 * matcher reports what differs from the documented answer (the runner's negative control).
 */
class HostileCorpusTest {

    @Test
    void everyCaseParsesAndExpandsAndTheCorpusHoldsAtLeast250() {
        int total = 0;
        Set<String> markers = new HashSet<>();
        for (Category category : Category.values()) {
            List<HostileCase> cases = HostileCase.load(category);
            assertFalse(cases.isEmpty(), category.label());
            for (HostileCase c : cases) {
                String marker = c.marker("hz");
                assertTrue(markers.add(marker), "unique marker " + marker);
                c.script(marker); // throws on a bad directive or transform
            }
            total += cases.size();
        }
        assertTrue(total >= 250, "cases: " + total);
    }

    @Test
    void templatesExpandBytesDirectivesAndLength() {
        Script s = Script.expand("POST / HTTP/1.1\\r\\nContent-Length: ${len}\\r\\n\\r\\n${repeat:3}ab${/repeat}\\x00\\q${M}", "m1");
        assertArrayEquals("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nababab\u0000\\qm1".getBytes(StandardCharsets.ISO_8859_1),
                s.bytes());
        Script drip = Script.expand("${drip:5}ab${/drip}${shut}", "");
        assertEquals(5, drip.steps().size(), "a, pause, b, pause, shut");
        assertThrows(IllegalArgumentException.class, () -> Script.expand("${nope}", ""));
        assertEquals(10, Script.transform("[x]".getBytes(StandardCharsets.US_ASCII), List.of("%pad=10")).length);
    }

    @Test
    void standardRequestCarriesTheMarkerInItsUserAgentAndItsLength() {
        HostileCase c = HostileCase.parse(Category.JSON_STRUCTURE,
                List.of("one\t202\tjson | X-A: 1\t{\"url\":\"${M}\"}")).get(0);
        String text = new String(c.script("hz-jsn-001z").bytes(), StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("POST /v1/events HTTP/1.1\r\nHost: collector.test\r\nContent-Type: application/json\r\nX-A: 1\r\n"), text);
        assertTrue(text.contains("hostile/hz-jsn-001z\r\n"), text);
        assertTrue(text.endsWith("Content-Length: 21\r\n\r\n{\"url\":\"hz-jsn-001z\"}"), text);
    }

    /** Negative control: an answer other than the documented one is a failure, whatever it is. */
    @Test
    void theMatcherReportsEveryKindOfMismatch() {
        Observed accepted = Observed.response(202, "", "{\"accepted\":1,\"rejected\":[]}");
        Observed invalidJson = Observed.response(400, "", "{\"error\":\"invalid_json\",\"detail\":\"x\"}");
        Observed serverError = Observed.response(500, "", "{\"error\":\"invalid_json\"}");

        assertTrue(Expectation.parse("400 invalid_json").judge(List.of(invalidJson)).passed());
        assertFalse(Expectation.parse("400 invalid_json").judge(List.of(accepted)).passed(), "202 where 400 is documented");
        assertFalse(Expectation.parse("400 json_limit").judge(List.of(invalidJson)).passed(), "wrong error code");
        assertFalse(Expectation.parse("400 invalid_json").judge(List.of(Observed.hung())).passed(), "no answer");
        assertFalse(Expectation.parse("close").judge(List.of(invalidJson)).passed(), "answered where a close is documented");
        assertTrue(Expectation.parse("400 malformed_request or close").judge(List.of(Observed.closed())).passed());
        assertFalse(Expectation.parse("500 invalid_json").judge(List.of(serverError)).passed(), "a 5xx never passes");
        assertFalse(Expectation.parse("202 accepted=2").judge(List.of(accepted)).passed(), "accepted count");
        assertFalse(Expectation.parse("202 ; 202").judge(List.of(accepted)).passed(), "a pipelined answer missing");
        Observed partial = Observed.response(202, "", "{\"accepted\":0,\"rejected\":[{\"index\":0,\"error\":\"invalid_url\",\"detail\":\"d\"}]}");
        assertTrue(Expectation.parse("202 accepted=0 rejected=invalid_url").judge(List.of(partial)).passed());
        assertFalse(Expectation.parse("202 accepted=0 rejected=invalid_ts").judge(List.of(partial)).passed(), "reason");
        assertEquals(3, Expectation.parse("200*3").responses().size());
        assertEquals(List.of("a", "b", "b"), Expectation.parse("202 accepted=0 rejected=a,b*2").responses().get(0).get(0).rejected());
    }

    /** Negative control of the topic check: a rejected case's marker on the raw topic is reported. */
    @Test
    void aRejectedCaseOnTheRawTopicIsReported() {
        HostileCase rejected = HostileCase.parse(Category.SIZES, List.of("big\t413 body_too_large\tjson\t{}")).get(0);
        HostileCase accepted = HostileCase.parse(Category.FIELD_TYPES_AND_VALUES, List.of("ok\t202\tjson\t{}")).get(0);
        Observed tooLarge = Observed.response(413, "", "{\"error\":\"body_too_large\"}");
        Observed ok = Observed.response(202, "", "{\"accepted\":1,\"rejected\":[]}");
        List<CorpusRun.CategoryResult> results = new ArrayList<>();
        results.add(new CorpusRun.CategoryResult(Category.SIZES, List.of(new CorpusRun.Result(rejected, "hz-siz-001z",
                List.of(tooLarge), rejected.expectation().judge(List.of(tooLarge)))), true));
        results.add(new CorpusRun.CategoryResult(Category.FIELD_TYPES_AND_VALUES, List.of(new CorpusRun.Result(accepted,
                "hz-fld-001z", List.of(ok), accepted.expectation().judge(List.of(ok)))), true));

        assertEquals(Map.of(), CorpusRun.rawMismatches(results, List.of("{\"ua\":\"x hostile/hz-fld-001z\"}")));
        assertEquals(1, CorpusRun.rawMismatches(results, List.of("{\"ua\":\"hz-fld-001z\"}", "{\"url\":\"hz-siz-001z\"}")).size(),
                "the refused case's event is on the topic");
        assertEquals(1, CorpusRun.rawMismatches(results, List.of()).size(), "the accepted case's event is missing");
        assertEquals(1, CorpusRun.rawMismatches(results, List.of("hz-fld-001z", "hz-fld-001z")).size(), "stored twice");
    }
}
