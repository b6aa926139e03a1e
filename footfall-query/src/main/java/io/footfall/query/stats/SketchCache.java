package io.footfall.query.stats;

import io.footfall.core.warehouse.Warehouse;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * Long ranges (DuckDB, visitors estimated, no filters) without reading every row of the range. Each finished
 * UTC day wholly inside the range, and each other finished UTC hour wholly inside it, is served from a summary
 * kept in memory — per value, its counts and a {@link Hll} sketch of its visitors, bots apart; only the rest
 * (the unfinished hour, a partial hour at the start) is read from the warehouse. The sketches merge into one
 * estimate per value; the counts stay exact. Two {@link Source sources}:
 * <ul>
 *   <li>single events by {@code received_at}, for the page-path and event-name lists;</li>
 *   <li>the sessions rollup by {@code first_at} (the hour a session started in), for the lists of the session
 *       attributes and, per hour, for the summary and the time series ({@link #totals}).</li>
 * </ul>
 *
 * <p>A summary is built from the warehouse the first time a query needs it and serves while the versions of
 * its hours are those it was built at ({@code footfall_hour_versions} for events, {@code
 * footfall_session_hour_versions} for sessions; a day's token is the sum of its hours' versions, which only go
 * up). The loader raises an hour's version in the transaction of every batch that changes what it holds, and
 * {@code promote} raises every hour's. Versions, summaries built on demand and the rest are all read in one
 * transaction (one snapshot), so an answer never mixes a stale summary with newer rows; an hour without a
 * version holds nothing (see the loader's {@code HourVersions}). The summaries are bounded ({@code
 * query.summaryCacheMb}), least recently used first out.
 */
final class SketchCache {

    static final long HOUR_MICROS = 3_600_000_000L;
    static final long DAY_MICROS = 24 * HOUR_MICROS;

    /** Where a summary's rows come from, and what it counts per value. */
    enum Source {
        /** Single events by {@code received_at}; one count: the rows (page views or custom events). */
        EVENTS("received_at", "visitor_id", List.of("count(*)")),
        /**
         * The sessions rollup by {@code first_at}; counts at {@link #ROWS} (rollup rows, a sessionless event being
         * one), {@link #SESSIONS}, {@link #PAGEVIEWS}, {@link #EVENTS}, {@link #BOUNCED} and {@link #DURATION_MICROS}.
         */
        SESSIONS("first_at", "visitor_key", List.of("count(*)", "sum(CAST(NOT sessionless AS BIGINT))", "sum(pageviews)",
                "sum(events)", "sum(CAST(pageviews = 1 AND events = 0 AND NOT sessionless AS BIGINT))",
                "sum(epoch_us(last_at) - epoch_us(first_at))"));

        final String time;
        final String visitor;
        final List<String> measures;

        Source(String time, String visitor, List<String> measures) {
            this.time = time;
            this.visitor = visitor;
            this.measures = measures;
        }

        static Source of(Dimension dimension) {
            return dimension.sessionColumn() != null ? SESSIONS : EVENTS;
        }

        String table(Warehouse warehouse) {
            return this == EVENTS ? warehouse.eventsTable() : warehouse.sessionsTable();
        }

        String versionsTable(Warehouse warehouse) {
            return this == EVENTS ? warehouse.hourVersionsTable() : warehouse.sessionHourVersionsTable();
        }
    }

    /** Indexes of {@link Source#SESSIONS}' counts. */
    static final int ROWS = 0;
    static final int SESSIONS = 1;
    static final int PAGEVIEWS = 2;
    static final int EVENTS = 3;
    static final int BOUNCED = 4;
    static final int DURATION_MICROS = 5;

    private final long maxBytes;
    private final LinkedHashMap<Key, Summary> summaries = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;

    SketchCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * A summary's identity: {@code dimension} null for the sessions' totals; {@code length} is {@link #DAY_MICROS}
     * or {@link #HOUR_MICROS}; {@code index} counts them from 1970.
     */
    private record Key(String table, String site, Source source, Dimension dimension, long length, long index) {
    }

    /** One value's counts and visitor sketch within a summary, humans and bots apart; a sketch is null without visitors. */
    private record Group(long[] counts, long[] botCounts, Object sketch, Object botSketch) {
    }

    private record Summary(long token, Map<String, Group> groups, long bytes) {
    }

    /** A summary the current query uses or builds: which, at which token. */
    private record Bucket(Key key, long token) {
    }

    /**
     * What a scan or a merge adds up per value: counts, and visitor sketches — those of summaries kept as they are
     * until the estimate is asked for, so that a top list merges the sketches of the values it shows only.
     */
    static final class Tally {
        final long[] counts;
        final long[] botCounts;
        Hll sketch;
        Hll botSketch;
        /** Sketches (packed, or {@link Hll}) still to be merged into {@link #sketch}. */
        private List<Object> pending;

        Tally(Source source) {
            counts = new long[source.measures.size()];
            botCounts = new long[counts.length];
        }

        Hll sketch(boolean bot) {
            if (bot) {
                return botSketch != null ? botSketch : (botSketch = new Hll());
            }
            return sketch != null ? sketch : (sketch = new Hll());
        }

        /** Adds a sketch (packed, or an {@link Hll} no longer changed) to the visitors, merged when first needed. */
        void defer(Object packed) {
            if (pending == null) {
                pending = new ArrayList<>();
            }
            pending.add(packed);
        }

        /** The estimated visitors (bots among them when they were merged in); never more than the rows. */
        long visitors() {
            if (pending != null) {
                Hll h = sketch(false);
                for (Object p : pending) {
                    if (p instanceof Hll other) {
                        h.merge(other);
                    } else {
                        h.merge(p);
                    }
                }
                pending = null;
            }
            return sketch == null ? 0 : Math.min(counts[0], sketch.estimate());
        }

        void add(Tally other) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += other.counts[i];
            }
            if (other.sketch != null) {
                defer(other.sketch);
            }
            if (other.pending != null) {
                other.pending.forEach(this::defer);
            }
        }
    }

    /**
     * The top list from summaries and a scan of the rest of the range, or null when the range holds no
     * finished whole hour with rows (the caller scans it all as before).
     */
    StatsQueries.Scan<List<StatsQueries.TopRow>> top(Warehouse warehouse, StatsRequest request, Dimension dimension,
                                                     int limit, Instant now) throws SQLException {
        Source source = Source.of(dimension);
        Map<String, Tally> merged = new HashMap<>();
        if (!collect(warehouse, request, source, dimension, now, true, hour -> merged)) {
            return null;
        }
        return list(merged, dimension, limit);
    }

    /**
     * The sessions' totals per UTC hour (counted from 1970) of the range, a partial hour at either end included,
     * humans only unless the request includes bots; an hour without sessions is absent. Null when the range holds
     * no finished whole hour with sessions (the caller scans it all as before).
     */
    Map<Long, Tally> totals(Warehouse warehouse, StatsRequest request, Instant now) throws SQLException {
        Map<Long, Map<String, Tally>> perHour = new HashMap<>();
        if (!collect(warehouse, request, Source.SESSIONS, null, now, false, hour -> perHour.computeIfAbsent(hour, h -> new HashMap<>()))) {
            return null;
        }
        Map<Long, Tally> totals = new HashMap<>();
        perHour.forEach((hour, values) -> {
            Tally t = values.get(null);
            if (t != null) {
                totals.put(hour, t);
            }
        });
        return totals;
    }

    /**
     * Adds the range's rows of {@code source} per value to the map {@code target} gives for each UTC hour (a day's
     * summary to its first hour's): summaries of finished whole days (when {@code days}) and hours, and a scan of
     * the rest. False when the range holds no finished whole hour with rows.
     */
    private boolean collect(Warehouse warehouse, StatsRequest request, Source source, Dimension dimension, Instant now,
                            boolean days, LongFunction<Map<String, Tally>> target) throws SQLException {
        long from = micros(request.range().from());
        long to = micros(request.range().to());
        long firstHour = Math.floorDiv(from + HOUR_MICROS - 1, HOUR_MICROS);
        long endHour = Math.floorDiv(Math.min(to, micros(now)), HOUR_MICROS);
        if (firstHour >= endHour) {
            return false;
        }
        String table = source.table(warehouse);
        try (Connection c = warehouse.keptReadConnection()) {
            c.setAutoCommit(false);
            try {
                TreeMap<Long, Long> versions = versions(c, source.versionsTable(warehouse), request.site(), firstHour, endHour);
                if (versions.isEmpty()) {
                    return false;
                }
                List<Bucket> dayBuckets = new ArrayList<>();
                List<Bucket> hourBuckets = new ArrayList<>();
                plan(new Key(table, request.site(), source, dimension, 0, 0), versions, firstHour, endHour, days, dayBuckets,
                        hourBuckets);
                Summaries s = new Summaries(c, request.includeBots(), target);
                s.summarise(dayBuckets, DAY_MICROS);
                s.summarise(hourBuckets, HOUR_MICROS);
                if (from < firstHour * HOUR_MICROS) {
                    s.scan(table, source, request.site(), dimension, from, firstHour * HOUR_MICROS);
                }
                if (endHour * HOUR_MICROS < to) {
                    s.scan(table, source, request.site(), dimension, endHour * HOUR_MICROS, to);
                }
            } finally {
                c.rollback();
            }
        }
        return true;
    }

    private static long micros(Instant t) {
        return Math.multiplyExact(t.getEpochSecond(), 1_000_000L) + t.getNano() / 1_000;
    }

    private static TreeMap<Long, Long> versions(Connection c, String versionsTable, String site, long firstHour, long endHour)
            throws SQLException {
        TreeMap<Long, Long> versions = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT hour, version FROM " + versionsTable
                + " WHERE site = ? AND hour >= ? AND hour < ?")) {
            ps.setString(1, site);
            ps.setLong(2, firstHour);
            ps.setLong(3, endHour);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    versions.put(rs.getLong(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            // A warehouse its loader has not migrated yet (schema version < 4 or 5): no summaries, scan as before.
            if (isMissingTable(e)) {
                return versions;
            }
            throw e;
        }
        return versions;
    }

    /** Whether DuckDB refused a statement for a table that does not exist (a warehouse older than migration 4). */
    static boolean isMissingTable(SQLException e) {
        return e.getMessage() != null && e.getMessage().contains("does not exist");
    }

    /**
     * Whole days with rows inside [firstHour, endHour) as day buckets (when {@code days}), the other hours with
     * rows as hour buckets; {@code like} gives the keys' table, site, source and dimension.
     */
    private static void plan(Key like, TreeMap<Long, Long> versions, long firstHour, long endHour, boolean days,
                             List<Bucket> dayBuckets, List<Bucket> hourBuckets) {
        long firstDay = days ? Math.floorDiv(firstHour + 23, 24) : 0;
        long endDay = days ? Math.floorDiv(endHour, 24) : 0;
        for (long day = firstDay; day < endDay; day++) {
            Map<Long, Long> inDay = versions.subMap(day * 24, day * 24 + 24);
            if (!inDay.isEmpty()) {
                long token = 0;
                for (long v : inDay.values()) {
                    token += v;
                }
                dayBuckets.add(new Bucket(new Key(like.table(), like.site(), like.source(), like.dimension(), DAY_MICROS, day), token));
            }
        }
        for (Map.Entry<Long, Long> v : versions.entrySet()) {
            long day = Math.floorDiv(v.getKey(), 24);
            if (day < firstDay || day >= endDay) {
                hourBuckets.add(new Bucket(new Key(like.table(), like.site(), like.source(), like.dimension(), HOUR_MICROS,
                        v.getKey()), v.getValue()));
            }
        }
    }

    /** One query's summaries and scans, added to the maps its target gives per hour. */
    private final class Summaries {
        private final Connection c;
        private final boolean includeBots;
        private final LongFunction<Map<String, Tally>> target;

        Summaries(Connection c, boolean includeBots, LongFunction<Map<String, Tally>> target) {
            this.c = c;
            this.includeBots = includeBots;
            this.target = target;
        }

        /** Adds each bucket's summary, building (in one scan per run of consecutive buckets) the missing or stale. */
        void summarise(List<Bucket> buckets, long length) throws SQLException {
            List<Bucket> missing = new ArrayList<>();
            for (Bucket b : buckets) {
                Summary s = cached(b.key());
                if (s != null && s.token() == b.token()) {
                    add(b.key(), s);
                } else {
                    missing.add(b);
                }
            }
            int i = 0;
            while (i < missing.size()) {
                int j = i + 1;
                while (j < missing.size() && missing.get(j).key().index() == missing.get(j - 1).key().index() + 1) {
                    j++;
                }
                List<Bucket> run = missing.subList(i, j);
                List<Summary> built = build(c, run, length);
                for (int k = 0; k < run.size(); k++) {
                    add(run.get(k).key(), built.get(k));
                }
                i = j;
            }
        }

        private void add(Key key, Summary summary) {
            Map<String, Tally> merged = target.apply(key.index() * (key.length() / HOUR_MICROS));
            Source source = key.source();
            for (Map.Entry<String, Group> e : summary.groups().entrySet()) {
                Group g = e.getValue();
                if (g.counts()[0] == 0 && (!includeBots || g.botCounts()[0] == 0)) {
                    continue;
                }
                Tally t = merged.computeIfAbsent(e.getKey(), v -> new Tally(source));
                addCounts(t.counts, g.counts());
                if (g.sketch() != null) {
                    t.defer(g.sketch());
                }
                if (includeBots) {
                    addCounts(t.counts, g.botCounts());
                    if (g.botSketch() != null) {
                        t.defer(g.botSketch());
                    }
                }
            }
        }

        /** Adds the rows of [from, to) µs per hour: bots counted with humans when included, left out otherwise. */
        void scan(String table, Source source, String site, Dimension dimension, long from, long to) throws SQLException {
            query(c, table, source, site, dimension, from, to, HOUR_MICROS, includeBots, (bucket, value, bot, counts, entries) ->
                    tally(target.apply(bucket).computeIfAbsent(value, v -> new Tally(source)), false, counts, entries));
        }
    }

    private static void addCounts(long[] into, long[] counts) {
        for (int i = 0; i < into.length; i++) {
            into[i] += counts[i];
        }
    }

    /** Whether any summary of this site's {@code dimension} (null: the sessions' totals) is held. */
    synchronized boolean holds(String site, Dimension dimension) {
        return summaries.keySet().stream().anyMatch(k -> k.site().equals(site) && k.dimension() == dimension);
    }

    private synchronized Summary cached(Key key) {
        return summaries.get(key);
    }

    private synchronized void keep(Key key, Summary summary) {
        Summary old = summaries.put(key, summary);
        bytes += summary.bytes() - (old == null ? 0 : old.bytes());
        for (Iterator<Summary> it = summaries.values().iterator(); bytes > maxBytes && it.hasNext(); ) {
            bytes -= it.next().bytes();
            it.remove();
        }
    }

    /** Summarises consecutive buckets in one scan, bots included, and keeps each at its token; in the buckets' order. */
    private List<Summary> build(Connection c, List<Bucket> run, long length) throws SQLException {
        Key first = run.get(0).key();
        Source source = first.source();
        Map<Long, Map<String, Tally>> perBucket = new HashMap<>();
        query(c, first.table(), source, first.site(), first.dimension(), first.index() * length,
                (first.index() + run.size()) * length, length, true, (bucket, value, bot, counts, entries) -> {
                    Tally t = perBucket.computeIfAbsent(bucket, b -> new HashMap<>()).computeIfAbsent(value, v -> new Tally(source));
                    tally(t, bot, counts, entries);
                });
        List<Summary> built = new ArrayList<>(run.size());
        for (Bucket b : run) {
            Map<String, Group> groups = new HashMap<>();
            long size = 0;
            for (Map.Entry<String, Tally> e : perBucket.getOrDefault(b.key().index(), Map.of()).entrySet()) {
                Tally t = e.getValue();
                Group g = new Group(t.counts, t.botCounts, t.sketch == null ? null : t.sketch.pack(),
                        t.botSketch == null ? null : t.botSketch.pack());
                groups.put(e.getKey(), g);
                size += 96 + 32L * t.counts.length + (e.getKey() == null ? 0 : 2L * e.getKey().length())
                        + (g.sketch() == null ? 0 : Hll.bytes(g.sketch())) + (g.botSketch() == null ? 0 : Hll.bytes(g.botSketch()));
            }
            Summary s = new Summary(b.token(), groups, size);
            keep(b.key(), s);
            built.add(s);
        }
        return built;
    }

    private static void tally(Tally t, boolean bot, long[] counts, int[] entries) {
        addCounts(bot ? t.botCounts : t.counts, counts);
        if (entries.length > 0) {
            Hll h = t.sketch(bot);
            for (int e : entries) {
                h.offer(e);
            }
        }
    }

    @FunctionalInterface
    private interface RowSink {
        void accept(long bucket, String value, boolean bot, long[] counts, int[] entries);
    }

    /**
     * The rows of {@code source} in [from, to) µs, per bucket of {@code length}, value of {@code dimension} (none:
     * the totals) and bot flag: their counts and the sketch entries of their visitors (one per register used),
     * aggregated by the warehouse so that only a few thousand rows cross JDBC. Events: those of the dimension's
     * type; sessions: for the entry and exit pages, those with a page view.
     */
    private static void query(Connection c, String table, Source source, String site, Dimension dimension, long from, long to,
                              long length, boolean includeBots, RowSink sink) throws SQLException {
        String value = dimension == null ? "CAST(NULL AS VARCHAR)"
                : source == Source.EVENTS ? dimension.column() : dimension.sessionColumn();
        StringBuilder inner = new StringBuilder("SELECT epoch_us(").append(source.time).append(") // ").append(length)
                .append(" AS bucket, ").append(value).append(" AS value, is_bot, ").append(source.visitor)
                .append(" AS visitor, hash(").append(source.visitor).append(") AS h")
                .append(source == Source.SESSIONS ? ", sessionless, pageviews, events, first_at, last_at" : "")
                .append(" FROM ").append(table).append(" WHERE site = ?")
                .append(source == Source.EVENTS ? " AND type = ?" : "")
                .append(dimension != null && dimension.isSessionLevel() ? " AND entry_key IS NOT NULL" : "")
                .append(" AND ").append(source.time).append(" >= make_timestamptz(?) AND ").append(source.time)
                .append(" < make_timestamptz(?)").append(includeBots ? "" : " AND NOT is_bot");
        StringBuilder middle = new StringBuilder("SELECT bucket, value, is_bot, CASE WHEN visitor IS NULL THEN NULL ELSE ")
                .append(Hll.registerSql("h")).append(" END AS register, min(h >> ").append(Hll.P).append(") AS low");
        StringBuilder outer = new StringBuilder("SELECT bucket, value, is_bot");
        for (int i = 0; i < source.measures.size(); i++) {
            middle.append(", CAST(").append(source.measures.get(i)).append(" AS BIGINT) AS m").append(i);
            outer.append(", CAST(sum(m").append(i).append(") AS BIGINT)");
        }
        String sql = outer.append(", list(").append(Hll.entrySql("register", "low")).append(") FILTER (WHERE register IS NOT NULL)")
                .append(" FROM (").append(middle).append(" FROM (").append(inner).append(") e GROUP BY ALL) r GROUP BY bucket, value, is_bot")
                .toString();
        int n = source.measures.size();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            ps.setString(p++, site);
            if (source == Source.EVENTS) {
                ps.setString(p++, dimension.kind() == Dimension.Kind.PAGEVIEW ? "pageview" : "event");
            }
            ps.setLong(p++, from);
            ps.setLong(p, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long[] counts = new long[n];
                    for (int i = 0; i < n; i++) {
                        counts[i] = rs.getLong(4 + i);
                    }
                    sink.accept(rs.getLong(1), rs.getString(2), rs.getBoolean(3), counts, entries(rs.getArray(4 + n)));
                }
            }
        }
    }

    private static int[] entries(Array array) throws SQLException {
        if (array == null) {
            return new int[0];
        }
        Object[] values = (Object[]) array.getArray();
        int[] entries = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            entries[i] = ((Number) values[i]).intValue();
        }
        return entries;
    }

    /**
     * The list as {@link StatsQueries}' SQL orders it, and the rows it aggregated. A value's visitors are at most
     * its rows, so the values are estimated in order of their rows, and once {@code limit} values have more
     * visitors than the next one has rows, no later value can enter the list: only the sketches of the first few
     * values are merged.
     */
    private static StatsQueries.Scan<List<StatsQueries.TopRow>> list(Map<String, Tally> merged, Dimension dimension, int limit) {
        List<Map.Entry<String, Tally>> values = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Tally> e : merged.entrySet()) {
            if (e.getValue().counts[0] > 0) {
                values.add(e);
                total += e.getValue().counts[0];
            }
        }
        values.sort(Comparator.comparingLong((Map.Entry<String, Tally> e) -> e.getValue().counts[0]).reversed());
        java.util.PriorityQueue<Long> best = new java.util.PriorityQueue<>();
        List<StatsQueries.TopRow> rows = new ArrayList<>();
        for (Map.Entry<String, Tally> e : values) {
            Tally t = e.getValue();
            if (best.size() >= limit && t.counts[0] < best.peek()) {
                break;
            }
            long visitors = t.visitors();
            best.add(visitors);
            if (best.size() > limit) {
                best.poll();
            }
            rows.add(switch (Source.of(dimension)) {
                case SESSIONS -> new StatsQueries.TopRow(e.getKey(), visitors, t.counts[PAGEVIEWS], t.counts[EVENTS],
                        t.counts[SESSIONS]);
                case EVENTS -> dimension == Dimension.PATH
                        ? new StatsQueries.TopRow(e.getKey(), visitors, t.counts[0], 0, 0)
                        : new StatsQueries.TopRow(e.getKey(), visitors, 0, t.counts[0], 0);
            });
        }
        Comparator<StatsQueries.TopRow> order = Comparator.comparingLong(StatsQueries.TopRow::visitors).reversed();
        order = dimension.isSessionLevel()
                ? order.thenComparing(Comparator.comparingLong(StatsQueries.TopRow::sessions).reversed())
                : order.thenComparing(Comparator.comparingLong(StatsQueries.TopRow::pageviews).reversed())
                .thenComparing(Comparator.comparingLong(StatsQueries.TopRow::events).reversed());
        rows.sort(order.thenComparing(StatsQueries.TopRow::value, Comparator.nullsLast(Comparator.naturalOrder())));
        return new StatsQueries.Scan<>(List.copyOf(rows.subList(0, Math.min(limit, rows.size()))), total);
    }
}
