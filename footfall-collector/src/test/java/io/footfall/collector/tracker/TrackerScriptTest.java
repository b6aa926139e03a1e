package io.footfall.collector.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrackerScriptTest {

    final TrackerScript script = TrackerScript.load();
    final String source = new String(script.plain(), StandardCharsets.UTF_8);

    @Test
    void isUnderTwoKilobytesGzipped() {
        assertTrue(script.body(true).length < 2048, "gzipped size " + script.body(true).length);
    }

    @Test
    void isServedWithoutItsCommentsOrSpacesButLineForLine() {
        assertEquals("/* footfall.js */\nvar a=1;\nc('//  2',\"a // b\",`x  y`);\nd()\nif(!/^a \\/ [/ ]\\//i.test(x))return/b c/g;\n"
                        + "x=a+ +b- -c;\nfunction f(v){return typeof v==\"string\"}\n",
                TrackerScript.compact("/* header\n   more */\n  // a comment\n\n  var a = 1; // says what a is\n"
                        + "  c('//  2', \"a // b\", `x  y`);\n  d() // a comment without a semicolon before it\n"
                        + "  if (!/^a \\/ [/ ]\\//i.test(x)) return /b c/g;\n"
                        + "  x = a + +b - -c;\n  function f(v) { return typeof v == \"string\" }\n"));
        assertFalse(source.contains("// "), "no comment is served: " + source);
    }

    @Test
    void refusesALiteralItCannotSee() {
        assertThrows(IllegalStateException.class, () -> TrackerScript.compact("var a = 'open;\n"));
        assertThrows(IllegalStateException.class, () -> TrackerScript.compact("if (/open.test(x)) {}\n"));
    }

    @ParameterizedTest(name = "uses {0}")
    @ValueSource(strings = {"sendBeacon", "pushState", "replaceState", "popstate", "pagehide", "visibilitychange",
            "data-site", "data-api", "data-respect-dnt", "globalPrivacyControl", "doNotTrack", "'event'",
            "data-hash", "hashchange", "data-manual", "data-file-downloads", "File Download"})
    void hasEveryFeatureOfTheContract(String token) {
        assertTrue(source.contains(token), token);
    }

    @ParameterizedTest(name = "never touches {0}")
    @ValueSource(strings = {"document.cookie", "localStorage", "sessionStorage", "indexedDB", "import ", "require("})
    void setsNoCookieUsesNoStorageAndHasNoDependencies(String token) {
        assertFalse(source.contains(token), token);
    }

    @Test
    void etagMatchesOnlyTheCurrentVersion() {
        assertTrue(script.matches(script.etag()));
        assertTrue(script.matches("W/" + script.etag()));
        assertTrue(script.matches("\"x\", " + script.etag()));
        assertTrue(script.matches("*"));
        assertFalse(script.matches("\"deadbeef\""));
        // The gzip body is another representation, with a tag of its own.
        assertFalse(script.etag(true).equals(script.etag(false)));
        assertTrue(script.matches(script.etag(true), true));
        assertFalse(script.matches(script.etag(false), true));
        assertFalse(script.matches(script.etag(true), false));
        assertFalse(script.matches(null));
        assertEquals(18, script.etag().length());
    }
}
