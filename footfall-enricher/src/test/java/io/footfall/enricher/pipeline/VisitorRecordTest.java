package io.footfall.enricher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.enricher.dedup.RecentIds;
import io.footfall.enricher.session.SessionState;
import org.junit.jupiter.api.Test;

class VisitorRecordTest {

    private static final long T0 = 1_773_144_000_000L;

    @Test
    void aRecordWrittenBeforeIdsWereKeptReadsAsItsSession() {
        byte[] legacy = new SessionState("s-1", T0, 3, "spring").toBytes();
        VisitorRecord r = VisitorRecord.read(legacy);
        assertEquals(new SessionState("s-1", T0, 3, "spring"), r.session());
        assertEquals(0, r.ids().size());
        assertEquals(T0, VisitorRecord.lastSeenMs(legacy));
    }

    @Test
    void sessionIdsAndLastSeenRoundTrip() {
        VisitorRecord r = VisitorRecord.read(null);
        assertNull(r.session());
        r.ids().add(RecentIds.hash("e1"), T0, 3_600_000, 64);
        byte[] bytes = r.next(T0, new SessionState("s-2", T0, 1, null)).toBytes();
        VisitorRecord back = VisitorRecord.read(bytes);
        assertEquals(new SessionState("s-2", T0, 1, null), back.session());
        assertTrue(back.ids().contains(RecentIds.hash("e1"), T0, 3_600_000));
        assertEquals(T0, VisitorRecord.lastSeenMs(bytes));
    }

    @Test
    void withoutSessionsTheRecordHoldsIdsOnly() {
        VisitorRecord r = VisitorRecord.read(null);
        r.ids().add(RecentIds.hash("e1"), T0, 3_600_000, 64);
        byte[] bytes = r.next(T0 + 5, null).toBytes();
        assertNull(VisitorRecord.read(bytes).session());
        assertEquals(T0 + 5, VisitorRecord.lastSeenMs(bytes));
    }
}
