package io.footfall.app.loader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.core.event.StoredEvent;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.loader.consume.RetentionJob;
import io.footfall.loader.schema.SessionRollup;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.footfall.loader.warehouse.OffsetCommit;
import io.footfall.loader.warehouse.PostgresWarehouse;
import io.footfall.loader.warehouse.WarehouseWriter;
import io.footfall.query.stats.Dimension;
import io.footfall.query.stats.Interval;
import io.footfall.query.stats.StatsQueries;
import io.footfall.query.stats.StatsRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loader.retention} on DuckDB and PostgreSQL: the events received before the cutoff go, exactly those; the
 * sessions rollup (what every stat reads) equals one rebuilt from the events left, visits cut in two by the cutoff
 * included; a site with nothing left leaves the site list; on DuckDB no summary of an hour the run changed is served
 * again (the summarised stats equal the exact ones after it); a second run deletes nothing; loading goes on.
 */
class RetentionIT {

    private static final String TOPIC = "footfall.events";
    private static final long T0 = Instant.parse("2023-11-14T00:00:00Z").toEpochMilli();
    /** Half past an hour: the site list must tell the hour's events before it from those after it. */
    private static final Instant CUTOFF = Instant.ofEpochMilli(T0).plus(Duration.ofMinutes(630));
    /** The day after: every hour of the fixture finished, so the summarised stats come from summaries. */
    private static final Clock NEXT_DAY = Clock.fixed(Instant.parse("2023-11-15T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void duckdb() throws Exception {
        try (DuckDbWarehouse w = DuckDbWarehouse.open(dir.resolve("retention.duckdb"))) {
            check(w);
        }
    }

    @Test
    void postgres() throws Exception {
        LoaderFixtures.onFreshPostgres("retention", w -> check(w));
    }

    /**
     * PostgreSQL, a loader writing beside the runs: its batches continue visits of the fixture (before, across and
     * after the cutoff) and open new ones while five runs move the cutoff an hour at a time. Afterwards the events are
     * exactly those after the last cutoff and the loader's, and the rollup equals one rebuilt from them. A batch or a
     * run that PostgreSQL aborts for a deadlock is tried again, as the loader and the job do.
     */
    @Test
    void postgresLoadsWhileRetentionRuns() throws Exception {
        String schema = LoaderFixtures.freshSchema("retload");
        ExecutorService loader = Executors.newSingleThreadExecutor();
        try (PostgresWarehouse w = PostgresWarehouse.open(PostgresWarehouseIT.config(schema))) {
            w.migrate();
            List<StoredEvent> all = events();
            w.write(all, TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, all.size())));
            List<StoredEvent> visits = all.stream().filter(e -> e.sessionId() != null).toList();
            AtomicBoolean runsDone = new AtomicBoolean();
            List<StoredEvent> written = new ArrayList<>();
            Future<Integer> batches = loader.submit(() -> {
                SplittableRandom r = new SplittableRandom(5);
                long next = all.size();
                int n = 0;
                while (!runsDone.get() || n < 10) {
                    List<StoredEvent> batch = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        StoredEvent v = visits.get(r.nextInt(visits.size()));
                        int id = 500_000 + written.size() + i;
                        long at = T0 + Duration.ofHours(21).toMillis() + id;
                        batch.add(i % 5 == 4 ? event(id, v.site(), "n" + id, "v" + id, at, "/new", "pageview")
                                : event(id, v.site(), v.sessionId(), v.visitorId(), at, "/more", "pageview"));
                    }
                    long from = next;
                    retryingDeadlocks(() -> w.write(batch, TOPIC, List.of(new OffsetCommit(0, from, from + batch.size()))));
                    next += batch.size();
                    written.addAll(batch);
                    n++;
                }
                return n;
            });
            Instant last = CUTOFF.plus(Duration.ofHours(4));
            for (Instant cutoff = CUTOFF; !cutoff.isAfter(last); cutoff = cutoff.plus(Duration.ofHours(1))) {
                Instant at = cutoff;
                retryingDeadlocks(() -> w.expire(at));
            }
            runsDone.set(true);
            assertTrue(batches.get(60, TimeUnit.SECONDS) >= 10);
            long kept = all.stream().filter(e -> e.receivedAt() >= last.toEpochMilli()).count();
            assertEquals(kept + written.size(), count(w, "SELECT count(*) FROM events"));
            List<String> rollup = rollup(w);
            try (Connection c = w.readConnection()) {
                LoaderFixtures.rebuildRollup(c, w.sqlDialect());
            }
            assertEquals(rollup(w), rollup, "the rollup equals one rebuilt from the events left");
        } finally {
            loader.shutdownNow();
            LoaderFixtures.dropSchema(schema);
        }
    }

    private interface Write {
        long run() throws SQLException;
    }

    private static void retryingDeadlocks(Write write) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                write.run();
                return;
            } catch (SQLException e) {
                if (attempt == 5 || !"40P01".equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    /**
     * The job's first run comes when it starts, with the retention counted back from the clock, and is counted; on
     * DuckDB it goes in steps of about as many events as it is given (here 300 of ~1,200), each its own transaction,
     * and ends where one run would: the events after the cutoff, a rollup equal to one rebuilt from them.
     */
    @Test
    void theJobRunsWhenItStartsInStepsAndCountsWhatItDeleted() throws Exception {
        try (DuckDbWarehouse w = DuckDbWarehouse.open(dir.resolve("job.duckdb"))) {
            w.migrate();
            List<StoredEvent> all = events();
            w.write(all, TOPIC, List.of(new OffsetCommit(0, OffsetCommit.NONE, all.size())));
            long old = all.stream().filter(e -> e.receivedAt() < CUTOFF.toEpochMilli()).count();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            // Thirty days' retention, 30 days after the cutoff (and half a second: a run cuts at whole seconds).
            Clock clock = Clock.fixed(CUTOFF.plus(Duration.ofDays(30)).plusMillis(500), ZoneOffset.UTC);
            long[] times = all.stream().mapToLong(StoredEvent::receivedAt).sorted().toArray();
            assertEquals(Instant.ofEpochSecond(times[300] / 1000), w.expiryStep(CUTOFF, 300), "the 301st oldest event's second");
            assertEquals(CUTOFF, w.expiryStep(CUTOFF, all.size()), "no more than that many are older");
            try (RetentionJob job = new RetentionJob(w, Duration.ofDays(30), clock, registry, 300)) {
                job.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> registry.counter("footfall.loader.retention.deleted").count() >= old);
            }
            assertEquals(old, (long) registry.counter("footfall.loader.retention.deleted").count());
            assertEquals(0, (long) registry.counter("footfall.loader.retention.failures").count());
            assertEquals(all.size() - old, count(w, "SELECT count(*) FROM events"));
            assertEquals(0, count(w, "SELECT count(*) FROM events WHERE received_at < TIMESTAMPTZ '" + CUTOFF + "'"));
            List<String> rollup = rollup(w);
            try (Connection c = w.readConnection()) {
                LoaderFixtures.rebuildRollup(c, w.sqlDialect());
                assertEquals(List.of(CUTOFF.toString()), LoaderFixtures.rows(c,
                        "SELECT strftime(expired_before, '%Y-%m-%dT%H:%M:%SZ') FROM footfall_retention"));
            }
            assertEquals(rollup(w), rollup);
        }
    }

    private static <W extends Warehouse & WarehouseWriter> void check(W w) throws Exception {
        w.migrate();
        boolean duckdb = w.dialect().equals("duckdb");
        List<StoredEvent> all = events();
        long next = 0;
        for (int from = 0; from < all.size(); from += 300) {
            List<StoredEvent> batch = all.subList(from, Math.min(all.size(), from + 300));
            w.write(batch, TOPIC, List.of(new OffsetCommit(0, from == 0 ? OffsetCommit.NONE : next, next + batch.size())));
            next += batch.size();
        }
        List<StoredEvent> kept = all.stream().filter(e -> e.receivedAt() >= CUTOFF.toEpochMilli()).toList();
        List<String> straddling = straddling(all);
        assertTrue(straddling.size() >= 10, "the fixture has visits across the cutoff: " + straddling.size());

        StatsQueries summarised = new StatsQueries(w, NEXT_DAY, 0);
        StatsQueries exact = new StatsQueries(w, NEXT_DAY, Long.MAX_VALUE);
        StatsRequest day = StatsRequest.from(Map.of("site", "a.test", "from", "2023-11-14T00:00:00Z",
                "to", "2023-11-15T00:00:00Z"), true, Set.of());
        String before = stats(summarised, day); // summaries of every hour of the day, kept in memory
        assertEquals(List.of("a.test", "b.test", "edge.test", "gone.test"), summarised.sites().stream().sorted().toList());
        long versionRows = duckdb ? count(w, "SELECT count(*) FROM footfall_hour_versions") : 0;

        assertEquals(null, summarised.deletedBefore());
        assertEquals(all.size() - kept.size(), w.expire(CUTOFF.plusMillis(999)), "a cutoff is taken to its whole second");
        assertEquals(CUTOFF, summarised.deletedBefore(), "what the dashboard names");

        assertEquals(kept.size(), count(w, "SELECT count(*) FROM events"));
        assertEquals(0, count(w, "SELECT count(*) FROM events WHERE received_at < TIMESTAMPTZ '" + CUTOFF + "'"));
        assertEquals(List.of("a.test", "b.test"), summarised.sites().stream().sorted().toList(), "gone.test, edge.test have nothing left");
        // Before the rebuild below, which raises every hour's version on DuckDB.
        String after = stats(summarised, day);
        assertEquals(stats(exact, day), after, "no summary of a changed hour is served");
        assertFalse(before.equals(after), "the day's stats changed");
        if (duckdb) {
            assertEquals(versionRows, count(w, "SELECT count(*) FROM footfall_hour_versions"), "no version row goes");
        }
        List<String> rollup = rollup(w);
        try (Connection c = w.readConnection()) {
            LoaderFixtures.rebuildRollup(c, w.sqlDialect());
        }
        assertEquals(rollup(w), rollup, "the rollup equals one rebuilt from the events left");
        // A visit cut in two by the cutoff: its entry page and counts are those of its events after it.
        String visit = straddling.get(0);
        List<StoredEvent> rest = kept.stream().filter(e -> (e.site() + "/" + e.sessionId()).equals(visit))
                .sorted(Comparator.comparingLong(StoredEvent::receivedAt).thenComparingInt(StoredEvent::sessionSeq)).toList();
        String[] key = visit.split("/");
        try (Connection c = w.readConnection()) {
            assertEquals(List.of(rest.stream().filter(e -> e.type().equals("pageview")).count() + "|" + rest.size() + "|"
                            + rest.stream().filter(e -> e.type().equals("pageview")).findFirst().map(StoredEvent::path).orElse(null)),
                    LoaderFixtures.rows(c, "SELECT pageviews, pageviews + events, entry_path FROM " + SessionRollup.TABLE
                            + " WHERE site = '" + key[0] + "' AND session_id = '" + key[1] + "'"));
            assertEquals(List.of(CUTOFF + "|" + (all.size() - kept.size())), LoaderFixtures.rows(c,
                    "SELECT " + (duckdb ? "strftime(expired_before, '%Y-%m-%dT%H:%M:%SZ')" : "to_char(expired_before AT TIME ZONE 'UTC',"
                            + " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')") + " || '|' || deleted FROM footfall_retention"));
        }

        assertEquals(0, w.expire(CUTOFF), "a second run finds nothing");
        assertEquals(rollup, rollup(w));

        // Loading goes on: a straddling visit continues.
        StoredEvent later = event(99_999, key[0], key[1], rest.get(0).visitorId(), T0 + Duration.ofHours(20).toMillis(), "/later", "event");
        assertEquals(1, w.write(List.of(later), TOPIC, List.of(new OffsetCommit(0, next, next + 1))));
        List<String> continued = rollup(w);
        assertEquals(stats(exact, day), stats(summarised, day));
        try (Connection c = w.readConnection()) {
            LoaderFixtures.rebuildRollup(c, w.sqlDialect());
        }
        assertEquals(rollup(w), continued);

        // promote replaces the table: the cutoff becomes its first event's second, so replayed old events are listed
        // until the next run, and the sites the run emptied are not listed again.
        w.createTable("events_v2");
        // (A replayed event 10 minutes before the last cutoff, after gone.test's and edge.test's events.)
        Instant replayed = CUTOFF.minus(Duration.ofMinutes(10));
        w.append("events_v2", List.of(event(88_888, "replayed.test", "r1", "v1", replayed.toEpochMilli() + 500, "/old", "pageview")));
        w.promote("events_v2");
        assertEquals(replayed, summarised.deletedBefore());
        assertTrue(summarised.sites().contains("replayed.test"), summarised.sites().toString());
        assertFalse(summarised.sites().contains("gone.test") || summarised.sites().contains("edge.test"), summarised.sites().toString());
        assertEquals(1, w.expire(CUTOFF), "the next run");
        assertFalse(summarised.sites().contains("replayed.test"), summarised.sites().toString());

        // The table promote replaced keeps no event past the retention either.
        Instant nextCutoff = CUTOFF.plus(Duration.ofHours(4));
        String olderInPrevious = "SELECT count(*) FROM " + WarehouseWriter.PREVIOUS_TABLE + " WHERE received_at < to_timestamp("
                + nextCutoff.getEpochSecond() + ")";
        long keptInPrevious = count(w, "SELECT count(*) FROM " + WarehouseWriter.PREVIOUS_TABLE) - count(w, olderInPrevious);
        assertTrue(count(w, olderInPrevious) > 0 && keptInPrevious > 0, "events_prev has events on both sides of the cutoff");
        if (w.dialect().equals("duckdb")) {
            // The live table has none of them: the steps count events_prev's, or one step would take them all.
            assertTrue(w.expiryStep(nextCutoff, 10).isBefore(nextCutoff), "a step of 10 events");
        }
        w.expire(nextCutoff);
        assertEquals(0, count(w, olderInPrevious), "events_prev keeps events older than the retention");
        assertEquals(keptInPrevious, count(w, "SELECT count(*) FROM " + WarehouseWriter.PREVIOUS_TABLE));
    }

    /**
     * 2,400 events over 20 hours from T0: visits of 1–30 events a few minutes apart, on a.test and b.test, some
     * session-less; gone.test only before the cutoff; edge.test once, in the cutoff's hour before it.
     */
    private static List<StoredEvent> events() {
        SplittableRandom r = new SplittableRandom(11);
        List<StoredEvent> out = new ArrayList<>();
        int id = 0;
        int session = 0;
        while (out.size() < 2_400) {
            String site = switch (r.nextInt(5)) {
                case 0 -> "gone.test";
                case 1, 2 -> "b.test";
                default -> "a.test";
            };
            // Half of a.test's and b.test's visits start in the three hours before the cutoff, many going on after it.
            long at = T0 + (site.equals("gone.test") ? r.nextLong(Duration.ofHours(2).toMillis()) // over by 8 h at the latest
                    : r.nextBoolean() ? Duration.ofHours(7).toMillis() + r.nextLong(Duration.ofHours(3).toMillis())
                    : r.nextLong(Duration.ofHours(20).toMillis()));
            boolean sessionless = r.nextInt(10) == 0;
            int length = sessionless ? 1 : 1 + r.nextInt(30);
            String sessionId = sessionless ? null : "s" + session++;
            for (int i = 0; i < length; i++) {
                out.add(event(id, site, sessionId, "v" + (sessionless ? id : session) % 50, at, "/p/" + r.nextInt(6),
                        r.nextInt(4) == 0 ? "event" : "pageview"));
                id++;
                at += r.nextLong(Duration.ofMinutes(12).toMillis());
            }
        }
        // edge.test: one event in the cutoff's hour, before it.
        out.add(event(id, "edge.test", "e1", "v1", CUTOFF.toEpochMilli() - Duration.ofMinutes(20).toMillis(), "/edge", "pageview"));
        return out;
    }

    private static StoredEvent event(int id, String site, String sessionId, String visitorId, long at, String path, String type) {
        boolean custom = type.equals("event");
        return new StoredEvent(new UUID(0x4E7EL, id).toString(), site, type, custom ? "signup" : null, at, null, null, site,
                path, null, null, null, "ref" + (id % 3) + ".test", "search", null, null, null, null, null, visitorId,
                sessionId, id, false, "Firefox", null, "Linux", null, "desktop", false, "C" + (id % 4), null, null, null, null,
                null, null, "test", "Ref" + (id % 3));
    }

    /** The visits (site/session) with events on both sides of the cutoff. */
    private static List<String> straddling(List<StoredEvent> all) {
        long cut = CUTOFF.toEpochMilli();
        Set<String> early = new java.util.HashSet<>();
        Set<String> late = new java.util.TreeSet<>();
        for (StoredEvent e : all) {
            if (e.sessionId() != null) {
                (e.receivedAt() < cut ? early : late).add(e.site() + "/" + e.sessionId());
            }
        }
        late.retainAll(early);
        return new ArrayList<>(late);
    }

    /** What the dashboard shows of the day but visitors (summaries estimate them): the summary, the hours, four lists. */
    private static String stats(StatsQueries q, StatsRequest day) throws Exception {
        StatsQueries.Summary s = q.summary(day);
        StringBuilder out = new StringBuilder(s.sessions() + " sessions, " + s.pageviews() + " page views, " + s.events()
                + " events, " + s.bounceRate() + " % bounced, " + s.visitDurationSeconds() + " s;");
        for (StatsQueries.Point p : q.timeseries(day, Interval.HOUR, ZoneOffset.UTC).value()) {
            out.append(' ').append(p.start().toInstant()).append(' ').append(p.pageviews()).append('/').append(p.events())
                    .append('/').append(p.sessions());
        }
        for (Dimension d : List.of(Dimension.PATH, Dimension.ENTRY_PAGE, Dimension.COUNTRY, Dimension.REFERRER_HOST, Dimension.SOURCE)) {
            out.append("; ").append(d).append(q.top(day, d, 20).value().stream()
                    .map(t -> t.value() + " " + t.pageviews() + "/" + t.events() + "/" + t.sessions()).sorted().toList());
        }
        return out.toString();
    }

    private static List<String> rollup(Warehouse w) throws Exception {
        try (Connection c = w.readConnection()) {
            return LoaderFixtures.rows(c, "SELECT site, session_id, sessionless, visitor_id, is_bot, first_at, last_at, first_key, "
                    + "pageviews, events, entry_path, entry_key, exit_path, exit_key, " + String.join(", ", SessionRollup.FIRST_EVENT_COLUMNS)
                    + " FROM " + SessionRollup.TABLE + " ORDER BY site, session_id");
        }
    }

    private static long count(Warehouse w, String sql) throws Exception {
        try (Connection c = w.readConnection()) {
            return LoaderFixtures.count(c, sql);
        }
    }
}
