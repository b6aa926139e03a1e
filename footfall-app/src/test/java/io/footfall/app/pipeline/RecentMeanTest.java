package io.footfall.app.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RecentMeanTest {

    @Test
    void theMeanIsOfWhatWasRecordedInTheLastTwoMinutes() {
        RecentMean mean = new RecentMean();
        // The first look: all since the start (10 batches of 3 s each, a slow start).
        assertEquals(3_000.0, mean.look(0, 10, 30_000));
        // 20 batches of 200 ms since: the mean is theirs, not the start's.
        assertEquals(200.0, mean.look(5_000, 30, 34_000));
        assertEquals(250.0, mean.look(10_000, 40, 37_500), "30 batches since the first look: 7,500 ms");
        // Past the window the oldest looks drop out: since the look at 5 s (two minutes ago), 40 batches, 4,000 ms.
        assertEquals(100.0, mean.look(RecentMean.WINDOW_MS + 5_000, 70, 38_000), 1e-9);
        // Nothing loaded for two minutes: 0, as the timer's max says then.
        assertEquals(0.0, mean.look(3 * RecentMean.WINDOW_MS, 70, 38_000));
    }
}
