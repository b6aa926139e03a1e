package io.footfall.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnricherConfigTest {

    @Test
    void defaults() {
        EnricherConfig c = EnricherConfig.from(Settings.of(Map.of()));
        assertEquals(Duration.ofMinutes(30), c.sessionTimeout());
        assertEquals(Duration.ofHours(24), c.dedupWindow());
        assertEquals(ZoneId.of("UTC"), c.saltZone());
        assertTrue(c.stripParams().containsAll(List.of("fbclid", "gclid")));
        assertEquals(List.of("ref", "source"), c.sourceParams());
        assertTrue(c.dedupEnabled() && c.sessionsEnabled() && c.referrerEnabled() && c.userAgentEnabled() && c.botsEnabled());
        assertNull(c.geoipDatabase());
        assertEquals("127.0.0.1", c.adminHost());
        assertEquals(8082, c.adminPort());
    }

    @Test
    void theSkeletonConstructorKeepsWorking() {
        EnricherConfig c = new EnricherConfig("app", 1, Duration.ofMillis(100), Duration.ofMinutes(30));
        assertEquals(Duration.ofHours(24), c.dedupWindow());
    }

    @Test
    void badValuesNameTheirKey() {
        assertKey("enricher.saltZone", Map.of("enricher.saltZone", "Mars/Olympus"));
        assertKey("enricher.dedup.window", Map.of("enricher.dedup.window", "10s"));
        assertKey("enricher.sessionTimeout", Map.of("enricher.sessionTimeout", "forever"));
        assertKey("enricher.stripParams", Map.of("enricher.stripParams", "fbclid,utm_source"));
        assertKey("enricher.stripParams", Map.of("enricher.stripParams", "a b"));
        assertKey("enricher.sourceParams", Map.of("enricher.sourceParams", "ref,utm_source"));
        assertKey("enricher.sourceParams", Map.of("enricher.sourceParams", "a&b"));
        assertKey("enricher.userAgent.enabled", Map.of("enricher.userAgent.enabled", "maybe"));
        assertKey("enricher.userAgent.cacheSize", Map.of("enricher.userAgent.cacheSize", "5"));
        assertKey("enricher.adminPort", Map.of("enricher.adminPort", "70000"));
    }

    @Test
    void theStripListIsConfigurableAndMayBeEmpty() {
        assertEquals(List.of("ref", "fbclid"),
                EnricherConfig.from(Settings.of(Map.of("enricher.stripParams", " Ref , fbclid,"))).stripParams());
        assertEquals(List.of(), EnricherConfig.from(Settings.of(Map.of("enricher.stripParams", ""))).stripParams());
    }

    private static void assertKey(String key, Map<String, String> flags) {
        ConfigException e = assertThrows(ConfigException.class, () -> EnricherConfig.from(Settings.of(flags)));
        assertTrue(e.getMessage().startsWith(key + ":"), e.getMessage());
    }

    @Test
    void theSourceParametersKeepTheirOrderAndMayBeEmpty() {
        assertEquals(List.of("source", "ref", "via"),
                EnricherConfig.from(Settings.of(Map.of("enricher.sourceParams", " Source, ref,via,ref"))).sourceParams());
        assertEquals(List.of(), EnricherConfig.from(Settings.of(Map.of("enricher.sourceParams", " "))).sourceParams());
    }
}
