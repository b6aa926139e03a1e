package io.footfall.enricher.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PayloadScrubberTest {

    @Test
    void dropsTheTopLevelIpFieldAndKeepsTheRest() {
        String raw = "{\"site\":\"shop.test\",\"ip\":\"203.0.113.7\",\"props\":{\"a\":1},\"ua\":\"x\"}";
        assertEquals("{\"site\":\"shop.test\",\"props\":{\"a\":1},\"ua\":\"x\"}",
                PayloadScrubber.withoutIp(raw.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"203.0.113.7", "2001:db8::ff00:42:8329", "2001:0DB8:0000:0000:0000:FF00:0042:8329",
            "::ffff:203.0.113.7", "::1", "fe80::1%eth0"})
    void masksAddressesInRecordsThatAreNotJson(String ip) {
        String scrubbed = PayloadScrubber.withoutIp(("garbage ip=" + ip + " tail").getBytes(StandardCharsets.UTF_8));
        assertEquals("garbage ip=" + PayloadScrubber.MASK + " tail", scrubbed);
    }

    @Test
    void leavesTimesAndOrdinaryTextAlone() {
        String text = "{\"title\":\"Sale ends 12:30:00 today\"";
        assertEquals(text, PayloadScrubber.withoutIp(text.getBytes(StandardCharsets.UTF_8)));
        assertFalse(PayloadScrubber.withoutIp("{\"site\":\"a\",\"ip\":\"1.2.3.4\"} trailing".getBytes(StandardCharsets.UTF_8))
                .contains("1.2.3.4"));
    }
}
