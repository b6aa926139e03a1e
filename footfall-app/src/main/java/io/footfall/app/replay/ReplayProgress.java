package io.footfall.app.replay;

import io.footfall.app.ProgressLine;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress line of {@code replay}: records done / total, rate and ETA, redrawn in place at most once a second on
 * a terminal, a line every 10 s elsewhere ({@link ProgressLine}). Not final: a test in this package hooks the moment
 * the range is known.
 */
public class ReplayProgress {

    private static final long REDRAW_NANOS = 1_000_000_000L;

    private final ProgressLine out;
    private final LongSupplier nanoTime;
    private long total;
    private long startedNanos;
    private long drawnNanos;

    public ReplayProgress(PrintStream out, LongSupplier nanoTime) {
        this(out, System.console() != null, nanoTime);
    }

    public ReplayProgress(PrintStream out, boolean terminal, LongSupplier nanoTime) {
        this.out = new ProgressLine(out, terminal, nanoTime);
        this.nanoTime = nanoTime;
    }

    void start(long totalRecords) {
        this.total = totalRecords;
        this.startedNanos = nanoTime.getAsLong();
        this.drawnNanos = startedNanos;
    }

    void update(long done) {
        long now = nanoTime.getAsLong();
        if (now - drawnNanos >= REDRAW_NANOS) {
            drawnNanos = now;
            out.show(line(done, now));
        }
    }

    void finish(long done) {
        out.last(line(done, nanoTime.getAsLong()));
    }

    /** e.g. {@code replay: 1200000/5000000 records (24.0%), 85000 rec/s, ETA 45 s} */
    String line(long done, long nowNanos) {
        double seconds = Math.max(1e-9, (nowNanos - startedNanos) / 1e9);
        double rate = done / seconds;
        double percent = total == 0 ? 100.0 : 100.0 * done / total;
        String eta = done >= total ? "0" : rate <= 0 ? "?" : Long.toString(Math.round((total - done) / rate));
        return String.format(Locale.ROOT, "replay: %d/%d records (%.1f%%), %.0f rec/s, ETA %s s",
                done, total, percent, rate, eta);
    }
}
