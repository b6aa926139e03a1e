package io.footfall.collector.produce;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes handed to the producer and not yet acknowledged, against a fixed budget. Reserving never waits:
 * it succeeds or fails at once, so a full budget becomes a fast 503 rather than a blocked event loop.
 */
public final class InflightBudget {

    private final long maxBytes;
    private final AtomicLong used = new AtomicLong();

    public InflightBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public boolean tryReserve(long bytes) {
        while (true) {
            long current = used.get();
            if (current + bytes > maxBytes) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    /** True when less than a tenth of the budget is free: readiness turns off before requests fail. */
    public boolean nearlyFull() {
        return used.get() > maxBytes - maxBytes / 10;
    }
}
