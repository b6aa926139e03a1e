package io.footfall.query.stats;

/**
 * A HyperLogLog distinct-count estimate with 2^{@value #P} registers (standard error 1.04 / √4096 ≈ 1.6 %),
 * fed with entries that the warehouse computes from a 64-bit hash of each value ({@link #entrySql}: the
 * register number and the rank, packed as {@code register << 6 | rank}), so that sketches of different hours
 * and days and the rows scanned at the edges of a range merge into one. Small counts use linear counting
 * (nearly exact below a few hundred).
 */
final class Hll {

    static final int P = 12;
    static final int M = 1 << P;

    /** DuckDB: the register of a hash (a UBIGINT): its low {@value #P} bits. */
    static String registerSql(String hash) {
        return "CAST(" + hash + " & " + (M - 1) + " AS INTEGER)";
    }

    /**
     * DuckDB: the packed entry of a register and the smallest of its hashes' remaining 54 bits, whose rank
     * is 1 + its leading zeros. (A value just below 2^53 or above may round up in the double's logarithm and
     * rank one lower: a chance of 2^-53.)
     */
    static String entrySql(String register, String low) {
        return register + " * 64 + CAST(" + (64 - P) + " - floor(log2(CAST(greatest(" + low + ", 1) AS DOUBLE))) AS INTEGER)";
    }

    /** 2^-rank for every rank a register can hold. */
    private static final double[] INVERSE_POWERS = new double[64];

    static {
        for (int r = 0; r < INVERSE_POWERS.length; r++) {
            INVERSE_POWERS[r] = Math.scalb(1.0, -r);
        }
    }

    private final byte[] registers = new byte[M];

    void offer(int register, int rank) {
        if (rank > registers[register]) {
            registers[register] = (byte) rank;
        }
    }

    void merge(Hll other) {
        merge(other.registers);
    }

    void merge(byte[] dense) {
        for (int i = 0; i < M; i++) {
            if (dense[i] > registers[i]) {
                registers[i] = dense[i];
            }
        }
    }

    /** Adds one entry packed as {@code register << 6 | rank}. */
    void offer(int entry) {
        offer(entry >>> 6, entry & 63);
    }

    /** Merges registers packed by {@link #pack}. */
    void merge(int[] packed) {
        for (int entry : packed) {
            offer(entry);
        }
    }

    /** The registers, as dense bytes or packed entries, whichever is smaller; immutable once returned. */
    Object pack() {
        int used = 0;
        for (byte r : registers) {
            if (r != 0) {
                used++;
            }
        }
        if (used * 4 >= M) {
            return registers.clone();
        }
        int[] packed = new int[used];
        int n = 0;
        for (int i = 0; i < M; i++) {
            if (registers[i] != 0) {
                packed[n++] = i << 6 | registers[i];
            }
        }
        return packed;
    }

    void merge(Object packed) {
        if (packed instanceof byte[] dense) {
            merge(dense);
        } else {
            merge((int[]) packed);
        }
    }

    /** Bytes a packed form holds on the heap, roughly. */
    static long bytes(Object packed) {
        return 16 + (packed instanceof byte[] dense ? dense.length : 4L * ((int[]) packed).length);
    }

    long estimate() {
        double sum = 0;
        int zeros = 0;
        for (byte r : registers) {
            sum += INVERSE_POWERS[r];
            if (r == 0) {
                zeros++;
            }
        }
        if (zeros == M) {
            return 0;
        }
        double raw = 0.7213 / (1 + 1.079 / M) * M * M / sum;
        if (raw <= 2.5 * M && zeros > 0) {
            return Math.round(M * Math.log((double) M / zeros));
        }
        return Math.round(raw);
    }
}
