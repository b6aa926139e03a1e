package io.footfall.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The 503 latency percentiles the broker outage suite reports. */
class LatencySamplesTest {

    @Test
    void percentilesAreNearestRank() {
        LatencySamples samples = new LatencySamples(1_000);
        for (int i = 1; i <= 100; i++) {
            samples.add(i);
        }
        assertEquals(50, samples.percentile(50));
        assertEquals(99, samples.percentile(99));
        assertEquals(100, samples.max());
        assertEquals(-1, new LatencySamples(10).percentile(99));
    }

    @Test
    void samplesBeyondTheCapacityAreCountedButNotKept() {
        LatencySamples samples = new LatencySamples(2);
        samples.add(5);
        samples.add(7);
        samples.add(1_000);
        assertEquals(3, samples.count());
        assertEquals(7, samples.max());
    }
}
