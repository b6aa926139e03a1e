package io.footfall.enricher.pipeline;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Nanoseconds spent per {@link Step}, summed over the pipelines of a process, so a benchmark can show which
 * step is slow. Off by default: two {@code nanoTime} calls per step (~50 ns) are not free at 20 µs/event.
 */
public final class StepTimings {

    /** Records nothing. */
    public static final StepTimings OFF = new StepTimings(false);

    private final boolean on;
    private final LongAdder[] nanos = new LongAdder[Step.values().length];
    private final LongAdder[] counts = new LongAdder[Step.values().length];

    private StepTimings(boolean on) {
        this.on = on;
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = new LongAdder();
            counts[i] = new LongAdder();
        }
    }

    public static StepTimings recording() {
        return new StepTimings(true);
    }

    boolean on() {
        return on;
    }

    void add(Step step, long elapsedNanos) {
        nanos[step.ordinal()].add(elapsedNanos);
        counts[step.ordinal()].increment();
    }

    /** Starts counting afresh (a benchmark calls it after its warm-up). */
    public void reset() {
        for (int i = 0; i < nanos.length; i++) {
            nanos[i].reset();
            counts[i].reset();
        }
    }

    /** Mean microseconds per timed event that reached each step. */
    public Map<Step, Double> meanMicros() {
        Map<Step, Double> out = new EnumMap<>(Step.class);
        for (Step step : Step.values()) {
            long n = counts[step.ordinal()].sum();
            out.put(step, n == 0 ? 0.0 : nanos[step.ordinal()].sum() / 1000.0 / n);
        }
        return out;
    }
}
