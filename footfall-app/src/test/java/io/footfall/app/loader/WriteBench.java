package io.footfall.app.loader;

import io.footfall.core.config.FootfallConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.footfall.loader.warehouse.OffsetCommit;
import io.footfall.loader.warehouse.PostgresWarehouse;
import io.footfall.loader.warehouse.WarehouseWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The warehouse write path alone, no broker: {@link WarehouseWriter#write} with 10,000-event batches of
 * {@link LoaderBench#event}, timed separately for the batches that start sessions (every event the first of
 * its session: rollup inserts) and the batches that continue them (rollup updates). A quick A/B for the
 * writers; {@code bench/loader.sh} is the benchmark of record.
 *
 * <p>Arguments: {@code duckdb|postgres workDir [events, default 600000]}; {@code -Dbatch=N} for another batch size.
 */
public final class WriteBench {

    private static final int BATCH = Integer.getInteger("batch", 10_000);
    private static final int PROGRESS_EVERY = 200_000;

    private WriteBench() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        Path work = Files.createDirectories(Path.of(args[1]));
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 2 * LoaderBench.SESSIONS;
        WarehouseWriter writer;
        if (kind.equals("duckdb")) {
            writer = DuckDbWarehouse.open(work.resolve("write-bench.duckdb"));
        } else {
            String schema = LoaderFixtures.freshSchema("write_bench");
            FootfallConfig config = FootfallConfig.from(io.footfall.core.config.Settings.of(java.util.Map.of(
                    "dataDir", work.toString(), "loader.warehouse", "postgres", "loader.jdbcUrl", LoaderFixtures.PG_URL,
                    "loader.user", "postgres", "loader.schema", schema)));
            writer = PostgresWarehouse.open(config.loader());
        }
        try (writer) {
            writer.migrate();
            long next = OffsetCommit.NONE;
            long continuingNanos = 0;
            long newRows = 0;
            long newNanos = 0;
            long windowNanos = 0;
            long windowMaxNanos = 0;
            List<StoredEvent> batch = new ArrayList<>(BATCH);
            List<Double> batchMillis = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(LoaderBench.event(i));
                if (batch.size() == BATCH || i == n - 1) {
                    long t0 = System.nanoTime();
                    long to = next == OffsetCommit.NONE ? batch.size() : next + batch.size();
                    writer.write(batch, "bench", List.of(new OffsetCommit(0, next, to)));
                    long took = System.nanoTime() - t0;
                    batchMillis.add(took / 1e6);
                    next = to;
                    windowNanos += took;
                    windowMaxNanos = Math.max(windowMaxNanos, took);
                    if ((i + 1) % PROGRESS_EVERY == 0) {
                        System.out.printf(Locale.ROOT, "  %,d rows written: %,.0f rows/s over the last %,d, slowest batch %.0f ms%n",
                                i + 1, PROGRESS_EVERY / (windowNanos / 1e9), PROGRESS_EVERY, windowMaxNanos / 1e6);
                        windowNanos = 0;
                        windowMaxNanos = 0;
                    }
                    if (i < LoaderBench.SESSIONS) {
                        newRows += batch.size();
                        newNanos += took;
                    } else {
                        continuingNanos += took;
                    }
                    batch.clear();
                }
            }
            long updRows = n - newRows;
            System.out.printf(Locale.ROOT, "%s: batches starting sessions %,.0f rows/s; continuing them %,.0f rows/s%n", kind,
                    newRows / (newNanos / 1e9), updRows == 0 ? 0 : updRows / (continuingNanos / 1e9));
            // A slow batch delays every event in it and behind it: the tail, not the mean, sets freshness.
            batchMillis.sort(null);
            System.out.printf(Locale.ROOT, "%s: time per batch of %,d: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n", kind, BATCH,
                    batchMillis.get(batchMillis.size() / 2), batchMillis.get((int) (batchMillis.size() * 0.99)),
                    batchMillis.get(batchMillis.size() - 1));
        }
    }
}
