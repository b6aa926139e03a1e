package io.footfall.enricher.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecentIdsTest {

    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_773_144_000_000L;

    @Test
    void anIdIsFoundWithinTheWindowAndNotAfterIt() {
        RecentIds ids = new RecentIds();
        long h = RecentIds.hash("a");
        assertNull(ids.add(h, T0, HOUR, 64));
        assertTrue(ids.contains(h, T0 + HOUR, HOUR));
        assertFalse(ids.contains(h, T0 + HOUR + 60_001, HOUR));
        assertFalse(ids.contains(RecentIds.hash("b"), T0, HOUR));
    }

    @Test
    void addingDropsIdsOlderThanTheWindow() {
        RecentIds ids = new RecentIds();
        ids.add(RecentIds.hash("old"), T0, HOUR, 64);
        ids.add(RecentIds.hash("new"), T0 + 2 * HOUR, HOUR, 64);
        assertEquals(1, ids.size());
        assertFalse(ids.spilledAt(T0), "dropping an expired id is not an overflow");
    }

    @Test
    void beyondTheCapacityTheOldestIsHandedBackAndRemembered() {
        RecentIds ids = new RecentIds();
        for (int i = 0; i < 3; i++) {
            assertNull(ids.add(RecentIds.hash("id" + i), T0 + i * 60_000L, HOUR, 3));
        }
        RecentIds.Evicted evicted = ids.add(RecentIds.hash("id3"), T0 + 3 * 60_000L, HOUR, 3);
        assertNotNull(evicted);
        assertEquals(RecentIds.hash("id0"), evicted.hash());
        assertEquals(T0, evicted.timeMs());
        assertEquals(3, ids.size());
        assertFalse(ids.contains(RecentIds.hash("id0"), T0, HOUR));
        assertTrue(ids.spilledAt(T0 + HOUR), "ids of this visitor must be looked up in the overflow for a window");
        assertFalse(ids.spilledAt(T0 + HOUR + 60_000));
    }

    @Test
    void bytesRoundTrip() {
        RecentIds ids = new RecentIds();
        for (int i = 0; i < 10; i++) {
            ids.add(RecentIds.hash("id" + i), T0 + i * 60_000L, HOUR, 8);
        }
        ByteBuffer b = ByteBuffer.allocate(ids.byteSize());
        ids.write(b);
        assertEquals(0, b.remaining());
        RecentIds back = RecentIds.read(ByteBuffer.wrap(b.array()));
        assertEquals(8, back.size());
        assertTrue(back.contains(RecentIds.hash("id9"), T0 + 9 * 60_000L, HOUR));
        assertTrue(back.spilledAt(T0 + HOUR));
        assertNull(back.add(RecentIds.hash("x"), T0 + 3 * HOUR, HOUR, 8), "grows again after reading");
    }

    @Test
    void hashesOfDistinctIdsDiffer() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            assertTrue(seen.add(RecentIds.hash(UUID.randomUUID().toString())));
        }
        assertNotEquals(RecentIds.hash("ab"), RecentIds.hash("ba"));
    }
}
