package io.footfall.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventRulesTest {

    @Test
    void newEventIdsAreDistinctVersion4Uuids() throws InvalidEventException {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = EventRules.newEventId();
            UUID uuid = UUID.fromString(id);
            assertEquals(4, uuid.version());
            assertEquals(2, uuid.variant());
            assertEquals(id, EventRules.eventId(id), "passes the rule clients are held to");
            ids.add(id);
        }
        assertEquals(100_000, ids.size());
    }

    /** What Android's browsers report for a visit from an app is kept; other schemes are refused. */
    @ParameterizedTest(name = "referrer ''{0}'' valid: {1}")
    @CsvSource({"android-app://com.google.android.gm/, true", "android-app://com.google.android.gm, true",
            "ANDROID-APP://com.Slack/path, true", "https://www.google.com/, true", "android-app://, false",
            "android-app:///, false", "android-app://bad host/, false", "android-app://a:1/, false",
            "ios-app://123/x, false", "about:blank, false", "javascript:alert(1), false"})
    void aReferrerIsAWebAddressOrAnAndroidApp(String referrer, boolean valid) {
        boolean accepted;
        try {
            accepted = referrer.equals(EventRules.referrer(referrer));
        } catch (InvalidEventException e) {
            assertEquals("invalid_referrer", e.reason());
            accepted = false;
        }
        assertEquals(valid, accepted, referrer);
    }

    @ParameterizedTest(name = "event id ''{0}'' valid: {1}")
    @CsvSource({"0f8fad5b-d9cb-469f-a165-70867728950e, true", "0F8FAD5B-D9CB-469F-A165-70867728950E, true",
            "00000000-0000-0000-0000-000000000000, true", "0f8fad5b-d9cb-469f-a165-70867728950, false",
            "0f8fad5b-d9cb-469f-a165-70867728950e0, false", "0f8fad5bd9cb-469f-a165-70867728950e-, false",
            "0f8fad5g-d9cb-469f-a165-70867728950e, false", "0f8fad5b-d9cb_469f-a165-70867728950e, false",
            "{f8fad5b-d9cb-469f-a165-70867728950e, false", "0f8fad5b-d9cb-469f-a165-70867728950е, false",
            "'', false", "'                                    ', false"})
    void eventIdMatchesTheUuidPattern(String id, boolean valid) {
        assertEquals(valid, EventRules.isUuidText(id));
        assertEquals(valid, id.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
                "agrees with the documented pattern");
    }

    @ParameterizedTest(name = "site ''{0}'' valid: {1}")
    @CsvSource({"a, true", "shop.test, true", "0-9_x.y, true", "'', false", "Shop, false", "a b, false", "a/b, false",
            "ä, false", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, true",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, false"})
    void siteIdMatchesThePattern(String site, boolean valid) {
        assertEquals(valid, EventRules.isSiteId(site));
        assertEquals(valid, site.matches("[a-z0-9._-]{1,64}"), "agrees with the documented pattern");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"https://a.test/, true", "HTTP://A.TEST, true", "Https://a.test, true", "httpx://a.test, false",
            "ftp://a.test, false", "http:/a.test, false", "http://, false", "https://a b, false", "htt://a.test, false"})
    void httpUrls(String url, boolean valid) {
        assertEquals(valid, EventRules.isHttpUrl(url));
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource({"1920x1080", "1x1", "99999x99999", "123456x1", "x1", "1x", "1920X1080", "19a0x1080", "1920x1080x1", "''",
            "en", "en-GB", "zh-Hant-TW", "en-a-b-c", "en-a-b-c-d", "e", "e1", "english-GB", "abcdefgh-12345678", "abcdefghi",
            "en--GB", "en-", "-en", "en_GB", "Europe/London", "UTC", "Etc/GMT+1", "America/Argentina/Buenos_Aires",
            "Europe/London; DROP", "a b", "Zürich"})
    void handWrittenChecksEqualTheirPatterns(String s) {
        assertEquals(s.matches("[0-9]{1,5}x[0-9]{1,5}"), EventRules.isScreen(s), "screen");
        assertEquals(s.matches("[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,3}"), EventRules.isLanguageTag(s), "language");
        assertEquals(s.matches("[A-Za-z0-9_+\\-/]{1,64}"), EventRules.isZoneName(s), "timezone");
    }

    @Test
    void idsAreLowerCaseHex() {
        assertTrue(EventRules.newEventId().matches("[0-9a-f-]{36}"));
    }

    @org.junit.jupiter.api.Test
    void propsNumbersAreWhatEveryWarehouseStores() {
        for (String ok : new String[] {"0", "-0.0", "1e308", "-1.7976931348623157E308", "4.9e-324", "0e-999", "123456789012345678901234567890",
                "1.50", "1E+2"}) {
            org.junit.jupiter.api.Assertions.assertTrue(EventRules.isStorableNumber(ok), ok);
        }
        for (String bad : new String[] {"1e309", "1e-400", "1e-16384", "0e-16384", "1e131072", "0e1000", "1" + "0".repeat(400),
                "1e99999999999"}) {
            org.junit.jupiter.api.Assertions.assertFalse(EventRules.isStorableNumber(bad), bad);
        }
    }
}
