package io.footfall.loader.consume;

import io.footfall.loader.warehouse.WarehouseWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code loader.retention}: once when the loader starts and then every {@link #INTERVAL}, deletes the events received
 * longer ago than the retention, with the sessions they made ({@link WarehouseWriter#expire}). A run that fails is
 * logged and counted and the next one tries again; loading never waits for it but on DuckDB, whose one writer takes
 * the runs' transactions in turn with the batches'.
 */
public final class RetentionJob implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

    /** Between runs: each deletes about an hour's events, a short transaction. */
    public static final Duration INTERVAL = Duration.ofHours(1);

    private static final int ATTEMPTS = 3;
    /** PostgreSQL's SQLSTATE for a transaction aborted to break a deadlock. */
    private static final String DEADLOCK = "40P01";

    private final WarehouseWriter writer;
    private final Duration retention;
    private final Clock clock;
    private final Counter deleted;
    private final Counter failures;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "footfall-retention");
        t.setDaemon(true);
        return t;
    });

    public RetentionJob(WarehouseWriter writer, Duration retention, Clock clock, MeterRegistry registry) {
        this.writer = writer;
        this.retention = retention;
        this.clock = clock;
        this.deleted = Counter.builder("footfall.loader.retention.deleted")
                .description("events deleted by loader.retention, with their sessions").register(registry);
        this.failures = Counter.builder("footfall.loader.retention.failures")
                .description("retention runs that failed (the next one tries again)").register(registry);
    }

    /** The first run now, then one every {@link #INTERVAL}. */
    public void start() {
        executor.scheduleWithFixedDelay(this::runQuietly, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One run: deletes what was received before now minus the retention; how many events. A run that PostgreSQL
     * aborts for a deadlock with a loader's batch (both touching two visits that straddle the cutoff and go on) is
     * tried again at once, up to {@value #ATTEMPTS} times.
     */
    public long run() throws SQLException {
        Instant before = clock.instant().minus(retention).truncatedTo(ChronoUnit.SECONDS);
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                long n = writer.expire(before);
                deleted.increment(n);
                LOG.info("event=retention_run deleted={} received_before={} took_ms={}", n, before,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return n;
            } catch (SQLException e) {
                if (attempt == ATTEMPTS || !DEADLOCK.equals(e.getSQLState())) {
                    throw e;
                }
                LOG.info("event=retention_retry attempt={} reason=deadlock", attempt + 1);
            }
        }
    }

    private void runQuietly() {
        try {
            run();
        } catch (SQLException | RuntimeException e) {
            failures.increment();
            LOG.warn("event=retention_failed next_in={} reason=\"{}\"", INTERVAL, e.getMessage());
        }
    }

    /** Stops the runs; one under way is let finish (it is one transaction) for up to a minute. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
