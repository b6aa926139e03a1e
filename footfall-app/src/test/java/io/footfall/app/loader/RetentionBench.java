package io.footfall.app.loader;

import io.footfall.loader.consume.RetentionJob;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.SessionRollup;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a retention run costs on DuckDB ({@code bench/retention.sh}): a warehouse of {@code events} page views over two
 * days, {@code perVisit} to a visit, rollup built; then a run deletes the first day's half in steps of {@code step}
 * events while a reader asks a small rollup query every 100 ms. Prints the run's time, its rate and the longest a
 * query waited (a step's commit holds every query).
 *
 * <p>Arguments: {@code workDir [events, default 400000] [step, default RetentionJob.STEP_EVENTS] [perVisit, default 1]}.
 */
public final class RetentionBench {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private RetentionBench() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]).resolve("retention.duckdb");
        long events = args.length > 1 ? Long.parseLong(args[1]) : 400_000;
        long step = args.length > 2 ? Long.parseLong(args[2]) : RetentionJob.STEP_EVENTS;
        long perVisit = args.length > 3 ? Long.parseLong(args[3]) : 1;
        try (DuckDbWarehouse w = DuckDbWarehouse.open(file)) {
            w.migrate();
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            long gapMicros = Duration.ofDays(2).toNanos() / 1000 / events;
            st.execute("INSERT INTO events (event_id, site, type, received_at, url, host, path, referrer_host, referrer_type, visitor_id,"
                    + " session_id, session_seq, is_new_session, browser, os, device_type, is_bot, country, props, pipeline_version)"
                    + " SELECT uuid(), 'site' || (i % 5) || '.test', 'pageview', TIMESTAMPTZ '" + START + "' + to_microseconds(i * "
                    + gapMicros + "), 'https://x.test/p/' || (i % 40), 'x.test', '/p/' || (i % 40), 'google.com', 'search',"
                    + " 'v' || (i // " + perVisit + "), 's' || (i // " + perVisit + "), CAST(i % " + perVisit + " AS INTEGER), i % "
                    + perVisit + " = 0, 'Firefox', 'Linux', 'desktop', false, 'DE', '{}', 'bench' FROM range(" + events + ") t(i)");
            SessionRollup.rebuild(c, Dialect.DUCKDB);
            c.commit();
        }
        System.out.printf("date: %s  %d events over 2 days, %d per visit; step %d events%n", Instant.now(), events, perVisit, step);
        try (DuckDbWarehouse w = DuckDbWarehouse.open(file); Connection reader = w.readConnection()) {
            AtomicLong worstWaitMs = new AtomicLong();
            Thread queries = new Thread(() -> {
                try (Statement st = reader.createStatement()) {
                    while (!Thread.currentThread().isInterrupted()) {
                        long started = System.nanoTime();
                        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM footfall_sessions WHERE site = 'site1.test'")) {
                            rs.next();
                        }
                        worstWaitMs.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
                        Thread.sleep(100);
                    }
                } catch (Exception e) {
                    // interrupted at the end
                }
            });
            queries.setDaemon(true);
            queries.start();
            // A one-day retention, a day after the middle: the first day goes.
            Clock clock = Clock.fixed(START.plus(Duration.ofDays(2)), ZoneOffset.UTC);
            try (RetentionJob job = new RetentionJob(w, Duration.ofDays(1), clock, new SimpleMeterRegistry(), step)) {
                long started = System.nanoTime();
                long deleted = job.run();
                double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("deleted %d events in %.1f s (%.0f events/s, pauses included); the longest query wait %d ms%n",
                        deleted, seconds, deleted / seconds, worstWaitMs.get());
            }
            queries.interrupt();
        }
    }
}
