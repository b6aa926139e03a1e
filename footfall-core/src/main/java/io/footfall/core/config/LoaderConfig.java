package io.footfall.core.config;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * The warehouse loader.
 *
 * @param warehouse   {@code duckdb} (embedded file, the default) or {@code postgres}
 * @param duckdbPath  the DuckDB file; default {@code <dataDir>/footfall.duckdb}
 * @param jdbcUrl     the PostgreSQL URL when {@code warehouse = postgres}
 * @param batchEvents a batch closes at this many events ...
 * @param batchBytes  ... or this many bytes of event JSON ...
 * @param batchDelay  ... or this long after its first event, whichever comes first
 * @param catchUpEvents while at least this many records wait on the broker after a poll, a batch ignores its
 *                    deadline and closes at this many events ...
 * @param catchUpBytes ... or this many bytes: fewer, larger transactions, each cheaper per row in DuckDB.
 *                    Never below the normal limits; equal to them (the PostgreSQL default) turns catch-up
 *                    batches off
 * @param duckdbCheckpointBytes DuckDB folds its write-ahead log into the file (a checkpoint, which holds up
 *                    the batch whose commit triggers it) once the log passes this size
 * @param duckdbMemoryBytes the most memory DuckDB keeps outside the JVM's heap (its cache of the file's blocks,
 *                    and what queries hold; beyond it they spill to {@code <file>.tmp}): without it, DuckDB takes up
 *                    to 80 % of the machine's RAM, and the process grows with the file
 * @param writers     loaders in this process, each with its own consumer in the group (so its own share of
 *                    the partitions), its own writer thread and its own warehouse transactions: 2 by default
 *                    for PostgreSQL, where two backends write in parallel; always 1 for DuckDB, which takes one
 *                    writer at a time
 * @param retention   events received longer ago than this are deleted from the live table, with the sessions they
 *                    made, once an hour; {@link Duration#ZERO} (the default) keeps everything
 */
public record LoaderConfig(
        String warehouse,
        Path duckdbPath,
        String jdbcUrl,
        String user,
        String password,
        String schema,
        String groupId,
        int batchEvents,
        long batchBytes,
        Duration batchDelay,
        int catchUpEvents,
        long catchUpBytes,
        long duckdbCheckpointBytes,
        long duckdbMemoryBytes,
        int writers,
        Duration retention) {

    /** The shortest {@code loader.retention}: a visit in progress, or a loader a while behind, must not lose events. */
    public static final Duration MIN_RETENTION = Duration.ofDays(1);

    /**
     * DuckDB's own checkpoint size, kept: 64 MB halved the loader's freshness p99 alone (bench/loader.sh) but made
     * the standalone fall behind at 10,000 events/s, and so did 32 MB (BENCHMARKS.md, Loader and End to end).
     */
    public static final long DEFAULT_DUCKDB_CHECKPOINT_BYTES = 16L * 1024 * 1024;

    /**
     * DuckDB's memory by default: a quarter of the machine's memory, at least 2 GB. What the writer needs grows with
     * the warehouse (the event-id key alone took 602 MB over 14.4M events, and it must be in memory to be written),
     * and a fixed 2 GB ran out at ~10M events in a 2-hour soak under a dashboard's queries (batches retried, stats
     * answered 503); a quarter still leaves a laptop most of its memory.
     */
    public static final long DEFAULT_DUCKDB_MEMORY_BYTES = Math.max(2L * 1024 * 1024 * 1024, physicalMemoryBytes() / 4);

    private static long physicalMemoryBytes() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getTotalMemorySize() : 0;
    }

    /**
     * The least {@code loader.duckdbMemory}: at 128 MB a standalone under 2,000 events/s and a dashboard's queries ran
     * out of it within 7 minutes (stats answered 503, batches retried), as what the writer and the queries pin at
     * once does not fit.
     */
    public static final long MIN_DUCKDB_MEMORY_BYTES = 512L * 1024 * 1024;

    public static LoaderConfig from(Settings s, Path dataDir) {
        String warehouse = s.choice("loader.warehouse", "duckdb", Set.of("duckdb", "postgres"));
        String jdbcUrl = s.string("loader.jdbcUrl", "");
        if (warehouse.equals("postgres") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("loader.jdbcUrl: must be a jdbc:postgresql: URL when loader.warehouse is postgres, got '" + jdbcUrl + "'");
        }
        String schema = s.string("loader.schema", "public");
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new ConfigException("loader.schema: must match [a-z_][a-z0-9_]{0,62}, got '" + schema + "'");
        }
        int batchEvents = s.integer("loader.batchEvents", 10_000, 1, 1_000_000);
        long batchBytes = s.bytes("loader.batchBytes", 8L * 1024 * 1024, 1024, 1024L * 1024 * 1024);
        boolean duckdb = warehouse.equals("duckdb");
        // Two measured best on 2 cores (bench/loader.sh: 1.5x one writer's rows/s; three were slower than two).
        int writers = s.integer("loader.writers", duckdb ? 1 : 2, 1, 64);
        if (duckdb && writers > 1) {
            throw new ConfigException("loader.writers: DuckDB takes one writer at a time, so it must be 1 when"
                    + " loader.warehouse is duckdb, got " + writers);
        }
        Duration retention = s.duration("loader.retention", Duration.ZERO, Duration.ZERO, Duration.ofDays(36_500));
        if (!retention.isZero() && retention.compareTo(MIN_RETENTION) < 0) {
            throw new ConfigException("loader.retention: must be 0 (keep every event) or at least 1d, got "
                    + Settings.words(retention));
        }
        return new LoaderConfig(
                warehouse,
                Path.of(s.string("loader.duckdbPath", dataDir.resolve("footfall.duckdb").toString())),
                jdbcUrl,
                s.string("loader.user", ""),
                s.string("loader.password", ""),
                schema,
                s.string("loader.groupId", "footfall-loader"),
                batchEvents,
                batchBytes,
                s.duration("loader.batchDelay", Duration.ofMillis(250), Duration.ofMillis(1), Duration.ofMinutes(10)),
                // Larger transactions are cheaper per row in DuckDB; PostgreSQL measured no gain, so off there.
                Math.max(batchEvents, s.integer("loader.catchUpEvents", duckdb ? 100_000 : batchEvents, 1, 1_000_000)),
                Math.max(batchBytes, s.bytes("loader.catchUpBytes", duckdb ? 64L * 1024 * 1024 : batchBytes, 1024,
                        1024L * 1024 * 1024)),
                s.bytes("loader.duckdbCheckpointBytes", DEFAULT_DUCKDB_CHECKPOINT_BYTES, 1024L * 1024, 16L * 1024 * 1024 * 1024),
                s.bytes("loader.duckdbMemory", DEFAULT_DUCKDB_MEMORY_BYTES, MIN_DUCKDB_MEMORY_BYTES, 1024L * 1024 * 1024 * 1024),
                writers,
                retention);
    }
}
