package io.footfall.app.reliability;

import java.util.Arrays;

/**
 * Latencies in microseconds, kept exactly up to a fixed count (a 60 s outage at a few hundred answers per
 * second is far below the 1,000,000 the suites allow; later samples are counted but not kept).
 */
public final class LatencySamples {

    private final long[] samples;
    private int kept;
    private long count;

    public LatencySamples(int capacity) {
        this.samples = new long[capacity];
    }

    public synchronized void add(long micros) {
        count++;
        if (kept < samples.length) {
            samples[kept++] = micros;
        }
    }

    public synchronized long count() {
        return count;
    }

    /** Nearest-rank percentile in microseconds, or -1 without samples. */
    public long percentile(double p) {
        long[] sorted;
        synchronized (this) {
            sorted = Arrays.copyOf(samples, kept);
        }
        if (sorted.length == 0) {
            return -1;
        }
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public long max() {
        return percentile(100);
    }
}
