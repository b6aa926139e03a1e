package io.footfall.query.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The ratios of the summary are rounded from exact quotients, so both warehouses give the same figure. */
class RatiosTest {

    @Test
    void halvesRoundUpAsWrittenNotAsABinaryDoubleHappensToHoldThem() {
        // 134,971 s over 200 sessions is 674.855 s: 674.85499999… as a double.
        assertEquals(674.86, StatsQueries.ratio2(134_971_000_000L, 200 * 1_000_000L));
        // 1232.715 likewise.
        assertEquals(1232.72, StatsQueries.ratio2(246_543_000_000L, 200 * 1_000_000L));
        // 201 page views in 200 sessions: 1.005.
        assertEquals(1.01, StatsQueries.ratio2(201, 200));
        assertEquals(33.33, StatsQueries.ratio2(100, 3));
        assertEquals(66.67, StatsQueries.ratio2(200, 3));
        assertEquals(0.0, StatsQueries.ratio2(5, 0), "no sessions: 0");
    }
}
