package io.footfall.enricher.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.footfall.core.config.EnricherConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackingParamsTest {

    private final TrackingParams strip = new TrackingParams(EnricherConfig.DEFAULT_STRIP_PARAMS);

    @Test
    void removesClickIdsWhereverTheyStand() {
        assertEquals("a=1&b=2", strip.strip("fbclid=x&a=1&gclid=y&b=2&msclkid=z"));
        assertEquals("a=1", strip.strip("a=1&FBCLID=x"));
        assertEquals("a=1&b", strip.strip("a=1&gclid&b"));
        assertEquals("a=1", strip.strip("__hstc=1.2.3&a=1&__hssc=4&__hsfp=5&gad_source=1&mc_cid=6&rdt_cid=7&epik=8&ScCid=9"),
                "a marketing tool's visitor and campaign ids");
    }

    @Test
    void anEmptiedQueryIsNullAndAnUntouchedOneIsTheSameInstance() {
        assertNull(strip.strip("gclid=abc&fbclid=def"));
        String q = "page=2&utm_source=x";
        assertSame(q, strip.strip(q));
        assertNull(strip.strip(null));
    }

    @Test
    void onlyConfiguredNamesAreRemoved() {
        TrackingParams custom = new TrackingParams(List.of("ref"));
        assertEquals("fbclid=1", custom.strip("fbclid=1&ref=hn"));
        assertEquals("reference=1", custom.strip("reference=1"));
    }
}
