package io.footfall.loader.consume;

import io.footfall.loader.warehouse.WarehouseWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code loader.retention}: once when the loader starts and then every {@link #INTERVAL}, deletes the events received
 * longer ago than the retention, with the sessions they made ({@link WarehouseWriter#expire}). A run that fails is
 * logged and counted and the next one tries again.
 *
 * <p>On DuckDB the loader's batches wait for a run's transaction and readers for its commit (seconds for a few hundred
 * thousand events), so a run goes in steps of about {@code stepEvents} events ({@link WarehouseWriter#expiryStep}),
 * each its own transaction, and pauses between two as long as the last one took: the first run on a large warehouse
 * holds nothing up for more than a step, and batches and queries get at least half of the time meanwhile.
 */
public final class RetentionJob implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

    /** Between runs. */
    public static final Duration INTERVAL = Duration.ofHours(1);

    /** Events per step of a run on DuckDB (see docs/loader.md, "Retention", for what a step costs). */
    public static final long STEP_EVENTS = 5_000;

    private static final int ATTEMPTS = 3;
    /** PostgreSQL's SQLSTATE for a transaction aborted to break a deadlock. */
    private static final String DEADLOCK = "40P01";

    private final WarehouseWriter writer;
    private final Duration retention;
    private final Clock clock;
    private final long stepEvents;
    private final Counter deleted;
    private final Counter failures;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "footfall-retention");
        t.setDaemon(true);
        return t;
    });

    public RetentionJob(WarehouseWriter writer, Duration retention, Clock clock, MeterRegistry registry) {
        this(writer, retention, clock, registry, STEP_EVENTS);
    }

    public RetentionJob(WarehouseWriter writer, Duration retention, Clock clock, MeterRegistry registry, long stepEvents) {
        this.writer = writer;
        this.retention = retention;
        this.clock = clock;
        this.stepEvents = stepEvents;
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
     * One run: deletes what was received before now minus the retention, step by step; how many events. A step that
     * PostgreSQL aborts for a deadlock with a loader's batch (both touching two visits that straddle the cutoff and
     * go on) is tried again at once, up to {@value #ATTEMPTS} times. A run cut short by {@link #close} has deleted the
     * steps before.
     */
    public long run() throws SQLException {
        Instant before = clock.instant().minus(retention).truncatedTo(ChronoUnit.SECONDS);
        long started = System.nanoTime();
        long total = 0;
        int steps = 0;
        while (true) {
            long stepStarted = System.nanoTime();
            Instant step = writer.expiryStep(before, stepEvents);
            long n = expire(step);
            deleted.increment(n);
            total += n;
            steps++;
            long took = System.nanoTime() - stepStarted;
            if (!step.isBefore(before)) {
                break;
            }
            LOG.info("event=retention_step deleted={} received_before={} took_ms={}", n, step, TimeUnit.NANOSECONDS.toMillis(took));
            if (pausedUntilClosed(took)) {
                LOG.info("event=retention_stopped deleted={} reason=\"the loader stops; the next run goes on\"", total);
                return total;
            }
        }
        LOG.info("event=retention_run deleted={} received_before={} steps={} took_ms={}", total, before, steps,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return total;
    }

    private long expire(Instant step) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return writer.expire(step);
            } catch (SQLException e) {
                if (attempt == ATTEMPTS || !DEADLOCK.equals(e.getSQLState())) {
                    throw e;
                }
                LOG.info("event=retention_retry attempt={} reason=deadlock", attempt + 1);
            }
        }
    }

    /** Waits {@code nanos}; true when {@link #close} came first. */
    private boolean pausedUntilClosed(long nanos) {
        try {
            return closing.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void runQuietly() {
        try {
            run();
        } catch (SQLException | RuntimeException | Error e) {
            // Counted and logged, never thrown: a throw would end the schedule without a word.
            failures.increment();
            String message = String.valueOf(e.getMessage());
            int nl = message.indexOf('\n');
            LOG.warn("event=retention_failed next_in={}h reason=\"{}\"", INTERVAL.toHours(),
                    (nl < 0 ? message : message.substring(0, nl)).replace('"', '\''));
        }
    }

    /** Stops the runs; a step under way is let finish (it is one transaction) for up to a minute. */
    @Override
    public void close() {
        closing.countDown();
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
