package io.footfall.collector.limit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-client request rate as token buckets, one per key (client IP). Never waits: a request either takes
 * a token or is told how many seconds until the next one.
 *
 * <p>Bounded: at most {@code maxKeys} buckets. When the table is full, buckets that have refilled
 * completely (clients idle for a burst's worth of time) are dropped, which loses nothing; if none can go,
 * a new client is let through uncounted rather than growing the table (fail open, so an address flood
 * cannot turn the limiter into a memory leak or an outage for real clients).
 */
public final class RateLimiter {

    /** 100k buckets ≈ 10 MB: far more distinct addresses than one collector sees within a burst window. */
    public static final int DEFAULT_MAX_KEYS = 100_000;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double tokensPerNano;
    private final int burst;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param perSecond requests per second per key, above 0
     * @param burst     requests a key may make at once
     * @param nanoTime  monotonic time source ({@code System::nanoTime}; a fake one in tests)
     */
    public RateLimiter(int perSecond, int burst, int maxKeys, LongSupplier nanoTime) {
        if (perSecond <= 0 || burst <= 0 || maxKeys <= 0) {
            throw new IllegalArgumentException("rate, burst and maxKeys must be positive");
        }
        this.tokensPerNano = perSecond / (double) NANOS_PER_SECOND;
        this.burst = burst;
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
    }

    /**
     * @return 0 when the request may proceed, otherwise the whole seconds (≥ 1) until it may be retried
     */
    public long tryAcquire(String key) {
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys && !evictFull(now)) {
                return 0;
            }
            bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        }
        return bucket.take(now);
    }

    int size() {
        return buckets.size();
    }

    private boolean evictFull(long now) {
        Iterator<Bucket> it = buckets.values().iterator();
        while (it.hasNext()) {
            if (it.next().fullAt(now)) {
                it.remove();
            }
        }
        return buckets.size() < maxKeys;
    }

    private final class Bucket {
        private double tokens;
        private long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }

        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            double nanosToToken = (1 - tokens) / tokensPerNano;
            return Math.max(1, (long) Math.ceil(nanosToToken / NANOS_PER_SECOND));
        }

        synchronized boolean fullAt(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            tokens = Math.min(burst, tokens + (now - updated) * tokensPerNano);
            updated = now;
        }
    }
}
