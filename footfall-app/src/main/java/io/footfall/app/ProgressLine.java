package io.footfall.app;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * The progress line of a long command. On a terminal it is redrawn in place as often as it is shown; anywhere else
 * (a log file, a pipe, a CI job) a carriage return would pile every update into one endless line, so there each
 * update is a line of its own, at most one every {@link #LOG_EVERY_NANOS}.
 */
public final class ProgressLine {

    /** How often a progress line is written when the output is not a terminal: every 10 s. */
    public static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private boolean drawn;
    private boolean logged;
    private long loggedNanos;

    public ProgressLine(PrintStream out, boolean terminal, LongSupplier nanoTime) {
        this.out = out;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
    }

    /** A progress line on {@code out}, redrawn in place when this process runs on a terminal. */
    public static ProgressLine on(PrintStream out) {
        return new ProgressLine(out, System.console() != null, System::nanoTime);
    }

    /** Shows {@code text} as the progress so far. */
    public void show(String text) {
        if (terminal) {
            // the spaces cover the end of a longer line drawn before
            out.print("\r" + text + "   ");
            drawn = true;
        } else {
            long now = nanoTime.getAsLong();
            if (logged && now - loggedNanos < LOG_EVERY_NANOS) {
                return;
            }
            out.println(text);
            logged = true;
            loggedNanos = now;
        }
        out.flush();
    }

    /** Shows {@code text} as where a step ended: always written, and the line ended. */
    public void last(String text) {
        out.println(terminal ? "\r" + text + "   " : text);
        out.flush();
        drawn = false;
        logged = false;
    }

    /** Ends the line drawn in place, if any, so that what is printed next starts on a line of its own. */
    public void end() {
        if (drawn) {
            out.println();
            out.flush();
            drawn = false;
        }
        logged = false;
    }
}
