package io.footfall.query.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HllTest {

    /** What the warehouse computes for a 64-bit hash ({@link Hll#registerSql}, {@link Hll#entrySql}), in Java. */
    private static void offer(Hll h, long hash) {
        int register = (int) (hash & (Hll.M - 1));
        int rank = Long.numberOfLeadingZeros(hash >>> Hll.P) - Hll.P + 1;
        h.offer(register << 6 | rank);
    }

    private static Hll of(long seed, int n) {
        Hll h = new Hll();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            offer(h, r.nextLong());
        }
        return h;
    }

    @Test
    void estimatesWithinItsErrorFromNoneToMillions() {
        assertEquals(0, new Hll().estimate());
        assertEquals(1, of(1, 1).estimate());
        assertEquals(10, of(2, 10).estimate());
        for (int n : new int[] {100, 1_000, 10_000, 100_000, 1_000_000}) {
            long estimate = of(n, n).estimate();
            assertTrue(Math.abs(estimate - n) <= n * 0.07, n + " distinct values estimated as " + estimate);
        }
    }

    @Test
    void repeatsCountOnce() {
        Hll h = new Hll();
        for (int i = 0; i < 5; i++) {
            SplittableRandom r = new SplittableRandom(7);
            for (int j = 0; j < 500; j++) {
                offer(h, r.nextLong());
            }
        }
        assertEquals(of(7, 500).estimate(), h.estimate());
    }

    @Test
    void aMergeOfPartsIsTheSketchOfTheWhole() {
        SplittableRandom r = new SplittableRandom(3);
        Hll whole = new Hll();
        Hll a = new Hll();
        Hll b = new Hll();
        for (int i = 0; i < 20_000; i++) {
            long hash = r.nextLong();
            offer(whole, hash);
            offer(i % 3 == 0 ? a : b, hash);
        }
        Hll merged = new Hll();
        merged.merge(a.pack());
        merged.merge(b.pack());
        assertEquals(whole.estimate(), merged.estimate());
    }

    @Test
    void packsSparseSketchesAsEntriesAndFullOnesAsRegisters() {
        Object sparse = of(5, 20).pack();
        assertTrue(sparse instanceof int[] entries && entries.length == 20, "20 values use at most 20 registers");
        Object dense = of(6, 5_000).pack();
        assertTrue(dense instanceof byte[] registers && registers.length == Hll.M);
        for (Object packed : new Object[] {sparse, dense}) {
            Hll copy = new Hll();
            copy.merge(packed);
            assertEquals(packed instanceof int[] ? ((int[]) packed).length : Hll.M, packed instanceof int[] ? ((int[]) copy.pack()).length : Hll.M);
            Object again = copy.pack();
            if (packed instanceof byte[] bytes) {
                assertArrayEquals(bytes, (byte[]) again);
            } else {
                assertArrayEquals((int[]) packed, (int[]) again);
            }
        }
    }
}
