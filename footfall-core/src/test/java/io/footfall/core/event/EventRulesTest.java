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

    @Test
    void idsAreLowerCaseHex() {
        assertTrue(EventRules.newEventId().matches("[0-9a-f-]{36}"));
    }
}
