package io.footfall.loader.consume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.core.event.BadEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.loader.warehouse.SampleEvents;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchTest {

    private static final long MS = 1_000_000L;

    @Test
    void closesAtTheEventCount() {
        Batch batch = new Batch(3, 1 << 20, 500 * MS);
        batch.add(SampleEvents.event(1), 0, 10, 100, 0, 0);
        batch.add(SampleEvents.event(2), 0, 11, 100, 0, 0);
        assertFalse(batch.due(0, false));
        batch.add(SampleEvents.event(3), 1, 5, 100, 0, 0);
        assertTrue(batch.full());
        assertTrue(batch.due(0, false));
        assertEquals(Map.of(0, 12L, 1, 6L), batch.nextOffsets());
    }

    @Test
    void closesAtTheByteSize() {
        Batch batch = new Batch(1000, 250, 500 * MS);
        batch.add(SampleEvents.event(1), 0, 0, 100, 0, 0);
        batch.add(SampleEvents.event(2), 0, 1, 100, 0, 0);
        assertFalse(batch.due(0, false));
        batch.add(SampleEvents.event(3), 0, 2, 100, 0, 0);
        assertTrue(batch.due(0, false));
    }

    @Test
    void closesAtTheDeadlineCountedFromItsFirstRecord() {
        Batch batch = new Batch(1000, 1 << 20, 500 * MS);
        assertFalse(batch.due(10_000 * MS, false), "an empty batch is never due");
        batch.add(SampleEvents.event(1), 0, 0, 100, 0, 1_000 * MS);
        batch.add(SampleEvents.event(2), 0, 1, 100, 0, 1_400 * MS);
        assertFalse(batch.due(1_499 * MS, false));
        assertTrue(batch.due(1_500 * MS, false));
        batch.clear();
        batch.add(SampleEvents.event(3), 0, 2, 100, 0, 2_000 * MS);
        assertFalse(batch.due(2_499 * MS, false), "the deadline restarts with the next batch");
    }

    @Test
    void anIdRepeatedInsideTheBatchIsStagedOnceButAdvancesTheOffset() {
        Batch batch = new Batch(1000, 1 << 20, 500 * MS);
        StoredEvent e = SampleEvents.event(7);
        batch.add(e, 2, 40, 100, 0, 0);
        batch.add(e, 2, 41, 100, 0, 0);
        assertEquals(1, batch.events().size());
        assertEquals(2, batch.records());
        assertEquals(Map.of(2, 42L), batch.nextOffsets());
    }

    @Test
    void rejectedRecordsCountTowardsTheBatchAndTheOffsets() {
        Batch batch = new Batch(2, 1 << 20, 500 * MS);
        batch.reject(new BadEvent("load", "undecodable", "x", null, "{", 0), 0, 3, 1, 42, 0);
        batch.add(SampleEvents.event(1), 0, 4, 100, 43, 0);
        assertTrue(batch.full());
        assertEquals(1, batch.events().size());
        assertEquals(1, batch.rejected().size());
        assertEquals(Map.of(0, 5L), batch.nextOffsets());
        assertEquals(2, batch.timestampsMs().length);
        batch.rejectedSent();
        assertEquals(0, batch.rejected().size());
        assertEquals(2, batch.records(), "the records stay in the batch until it commits");
    }

    @Test
    void behindTheBatchGrowsToTheCatchUpCountWhateverTheDeadline() {
        Batch batch = new Batch(2, 1 << 20, 500 * MS, 4, 1 << 20);
        batch.add(SampleEvents.event(1), 0, 0, 100, 0, 0);
        batch.add(SampleEvents.event(2), 0, 1, 100, 0, 0);
        assertTrue(batch.due(0, false), "caught up: the normal count closes it");
        assertFalse(batch.due(0, true), "behind: it takes more");
        assertFalse(batch.due(10_000 * MS, true), "behind: the deadline does not close it");
        batch.add(SampleEvents.event(3), 0, 2, 100, 0, 0);
        batch.add(SampleEvents.event(4), 0, 3, 100, 0, 0);
        assertTrue(batch.due(0, true));
        assertEquals(Map.of(0, 4L), batch.nextOffsets());
    }

    @Test
    void behindTheBatchClosesAtTheCatchUpSize() {
        Batch batch = new Batch(1000, 150, 500 * MS, 1000, 300);
        batch.add(SampleEvents.event(1), 0, 0, 100, 0, 0);
        batch.add(SampleEvents.event(2), 0, 1, 100, 0, 0);
        assertFalse(batch.due(0, true));
        batch.add(SampleEvents.event(3), 0, 2, 100, 0, 0);
        assertTrue(batch.due(0, true));
    }

    @Test
    void catchUpLimitsBelowTheNormalOnesAreRaisedToThem() {
        Batch batch = new Batch(3, 1 << 20, 500 * MS, 1, 1);
        batch.add(SampleEvents.event(1), 0, 0, 100, 0, 0);
        assertFalse(batch.due(0, true));
        batch.add(SampleEvents.event(2), 0, 1, 100, 0, 0);
        batch.add(SampleEvents.event(3), 0, 2, 100, 0, 0);
        assertTrue(batch.due(0, true));
    }
}
