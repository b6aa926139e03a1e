package io.footfall.app.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class VisitorExpiryTest {

    private static final TopicPartition P0 = new TopicPartition("footfall.raw", 0);
    private static final TopicPartition P1 = new TopicPartition("footfall.raw", 1);
    private static final long MINUTE = 60_000;

    @Test
    void scansWhenTheSlowestPartitionHasMovedOnByTheInterval() {
        RawReplay.VisitorExpiry expiry = new RawReplay.VisitorExpiry(List.of(P0, P1), 30 * MINUTE);
        assertFalse(expiry.seen(P0, 100 * MINUTE), "no horizon before every partition has been seen");
        assertFalse(expiry.seen(P1, 10 * MINUTE), "the first horizon only starts the count");
        assertEquals(10 * MINUTE, expiry.horizonMs());
        assertFalse(expiry.seen(P0, 500 * MINUTE), "partition 1 is still at minute 10");
        assertFalse(expiry.seen(P1, 39 * MINUTE));
        assertTrue(expiry.seen(P1, 40 * MINUTE));
        assertEquals(40 * MINUTE, expiry.horizonMs());
        assertFalse(expiry.seen(P1, 41 * MINUTE), "not again until another interval has passed");
    }

    @Test
    void aFinishedPartitionNoLongerHoldsTheHorizonBack() {
        RawReplay.VisitorExpiry expiry = new RawReplay.VisitorExpiry(List.of(P0, P1), 30 * MINUTE);
        expiry.seen(P0, 100 * MINUTE);
        expiry.seen(P1, 10 * MINUTE);
        expiry.finished(P1);
        assertTrue(expiry.seen(P0, 200 * MINUTE));
        assertEquals(200 * MINUTE, expiry.horizonMs());
    }
}
