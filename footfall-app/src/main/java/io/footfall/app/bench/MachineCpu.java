package io.footfall.app.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The busy share of this machine's cores between two readings of {@code /proc/stat} (Linux): every process,
 * so also the load generator and a PostgreSQL server on the same machine, which the footfall process's own
 * CPU figure leaves out.
 */
final class MachineCpu {

    private static final Path STAT = Path.of("/proc/stat");

    private final long[] start;

    private MachineCpu(long[] start) {
        this.start = start;
    }

    /** Starts measuring; without {@code /proc/stat} the result is -1. */
    static MachineCpu start() {
        return new MachineCpu(read());
    }

    /** Busy share (0..1) of all cores since {@link #start()}, or -1 when it cannot be read. */
    double busySince() {
        long[] end = read();
        if (start == null || end == null || end[0] <= start[0]) {
            return -1;
        }
        return 1.0 - (double) (end[1] - start[1]) / (end[0] - start[0]);
    }

    /** (total ticks, idle + iowait ticks) of the "cpu" line, or null. */
    private static long[] read() {
        try {
            for (String line : Files.readAllLines(STAT)) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long total = 0;
                    // user nice system idle iowait irq softirq steal (guest time is inside user already)
                    for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
                        total += Long.parseLong(f[i]);
                    }
                    return new long[]{total, Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0)};
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
