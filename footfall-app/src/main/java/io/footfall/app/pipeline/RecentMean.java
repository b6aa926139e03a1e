package io.footfall.app.pipeline;

import java.util.ArrayDeque;

/**
 * The mean of a timer over about the last two minutes, worked out from its cumulative count and total as they stood
 * at each look: the window of the timer's own max, so that the pipeline panel's mean and max describe the same
 * batches (a mean since start beside a recent max read as a mean above the max). Looks are at most one a second
 * (the probe's cache), so at most ~120 are kept.
 */
final class RecentMean {

    static final long WINDOW_MS = 120_000;

    private record Look(long atMs, long count, double totalMs) {
    }

    private final ArrayDeque<Look> looks = new ArrayDeque<>();

    /**
     * @return the mean of what was recorded since the last look at or before two minutes ago (or the oldest look, when
     *         none is that old); on the first look, since the start; 0 when nothing was recorded since
     */
    double look(long nowMs, long count, double totalMs) {
        while (looks.size() >= 2 && secondOldest().atMs() <= nowMs - WINDOW_MS) {
            looks.pollFirst();
        }
        Look base = looks.isEmpty() ? new Look(nowMs, 0, 0) : looks.peekFirst();
        looks.addLast(new Look(nowMs, count, totalMs));
        long n = count - base.count();
        return n <= 0 ? 0 : (totalMs - base.totalMs()) / n;
    }

    private Look secondOldest() {
        var it = looks.iterator();
        it.next();
        return it.next();
    }
}
