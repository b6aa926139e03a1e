package io.footfall.collector.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateLimiterTest {

    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @ParameterizedTest(name = "burst {0} at {1}/s")
    @CsvSource({"1, 1", "3, 2", "10, 10", "100, 5"})
    void burstIsAllowedThenRefused(int burst, int rate) {
        RateLimiter limiter = new RateLimiter(rate, burst, 100, nanos::get);
        for (int i = 0; i < burst; i++) {
            assertEquals(0, limiter.tryAcquire("a"), "request " + i);
        }
        assertTrue(limiter.tryAcquire("a") >= 1);
    }

    @Test
    void tokensRefillAtTheRate() {
        RateLimiter limiter = new RateLimiter(10, 1, 100, nanos::get);
        assertEquals(0, limiter.tryAcquire("a"));
        assertEquals(1, limiter.tryAcquire("a"));
        nanos.addAndGet(100_000_000L);
        assertEquals(0, limiter.tryAcquire("a"));
    }

    @Test
    void retryAfterSaysWhenTheNextTokenComes() {
        RateLimiter limiter = new RateLimiter(1, 1, 100, nanos::get);
        assertEquals(0, limiter.tryAcquire("a"));
        assertEquals(1, limiter.tryAcquire("a"));
        nanos.addAndGet(999_000_000L);
        assertEquals(1, limiter.tryAcquire("a"), "a refused request takes no token and rounds up to 1 s");
        nanos.addAndGet(1_000_000L);
        assertEquals(0, limiter.tryAcquire("a"));
    }

    @Test
    void clientsAreLimitedSeparately() {
        RateLimiter limiter = new RateLimiter(1, 1, 100, nanos::get);
        assertEquals(0, limiter.tryAcquire("a"));
        assertEquals(0, limiter.tryAcquire("b"));
        assertTrue(limiter.tryAcquire("a") > 0);
    }

    @Test
    void tableStaysBoundedUnderAnAddressFlood() {
        RateLimiter limiter = new RateLimiter(1, 1, 100, nanos::get);
        for (int i = 0; i < 10_000; i++) {
            limiter.tryAcquire("10.0." + (i / 256) + "." + (i % 256));
        }
        assertTrue(limiter.size() <= 100, "size " + limiter.size());
    }

    @Test
    void refilledBucketsMakeRoomForNewClients() {
        RateLimiter limiter = new RateLimiter(1, 1, 2, nanos::get);
        limiter.tryAcquire("a");
        limiter.tryAcquire("b");
        nanos.addAndGet(2_000_000_000L);
        assertEquals(0, limiter.tryAcquire("c"));
        assertTrue(limiter.tryAcquire("c") > 0, "c is now tracked");
    }
}
