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

/**
 * The page-path and event-name top lists over long ranges (DuckDB, visitors estimated) without reading every
 * event of the range. Each finished UTC day wholly inside the range, and each other finished UTC hour wholly
 * inside it, is served from a summary kept in memory — per value, its rows and a {@link Hll} sketch of its
 * visitors, bots apart; only the rest (the unfinished hour, a partial hour at the start) is read from the
 * events table. The sketches merge into one estimate per value; row counts stay exact.
 *
 * <p>A summary is built from the events table the first time a query needs it and serves while the versions
 * of its hours in {@code footfall_hour_versions} are those it was built at (a day's token is the sum of its
 * hours' versions, which only go up). The loader raises an hour's version in the transaction of every batch
 * that adds events to it, and {@code promote} raises every hour's. Versions, summaries built on demand and the
 * rest are all read in one transaction (one snapshot), so a list never mixes a stale summary with newer rows;
 * an hour without a version holds no events (see the loader's {@code HourVersions}). The summaries are bounded
 * ({@code query.summaryCacheMb}), least recently used first out; 31 days of 10M events of three sites take ~37 MB.
 */
final class SketchCache {

    static final long HOUR_MICROS = 3_600_000_000L;
    static final long DAY_MICROS = 24 * HOUR_MICROS;

    private final long maxBytes;
    private final LinkedHashMap<Key, Summary> summaries = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;

    SketchCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Whether this dimension's list can come from summaries (lists of single events' values). */
    static boolean serves(Dimension dimension) {
        return dimension == Dimension.PATH || dimension == Dimension.EVENT_NAME;
    }

    /** A summary's identity: {@code length} is {@link #DAY_MICROS} or {@link #HOUR_MICROS}; {@code index} counts them from 1970. */
    private record Key(String table, String site, Dimension dimension, long length, long index) {
    }

    /** One value's rows and visitor sketch within a summary, humans and bots apart; a sketch is null without visitors. */
    private record Group(long rows, long botRows, Object sketch, Object botSketch) {
    }

    private record Summary(long token, Map<String, Group> groups, long bytes) {
    }

    /** A summary the current query uses or builds: which, at which token. */
    private record Bucket(Key key, long token) {
    }

    /** What a scan adds up per value: rows and sketches. */
    private static final class Tally {
        long rows;
        long botRows;
        Hll sketch;
        Hll botSketch;

        Hll sketch(boolean bot) {
            if (bot) {
                return botSketch != null ? botSketch : (botSketch = new Hll());
            }
            return sketch != null ? sketch : (sketch = new Hll());
        }
    }

    /**
     * The top list from summaries and a scan of the rest of the range, or null when the range holds no
     * finished whole hour with events (the caller scans it all as before).
     */
    StatsQueries.Scan<List<StatsQueries.TopRow>> top(Warehouse warehouse, StatsRequest request, Dimension dimension,
                                                     int limit, Instant now) throws SQLException {
        long from = micros(request.range().from());
        long to = micros(request.range().to());
        long firstHour = Math.floorDiv(from + HOUR_MICROS - 1, HOUR_MICROS);
        long endHour = Math.floorDiv(Math.min(to, micros(now)), HOUR_MICROS);
        if (firstHour >= endHour) {
            return null;
        }
        String table = warehouse.eventsTable();
        Map<String, Tally> merged = new HashMap<>();
        try (Connection c = warehouse.readConnection()) {
            c.setAutoCommit(false);
            try {
                TreeMap<Long, Long> versions = versions(c, warehouse.hourVersionsTable(), request.site(), firstHour, endHour);
                if (versions.isEmpty()) {
                    return null;
                }
                List<Bucket> days = new ArrayList<>();
                List<Bucket> hours = new ArrayList<>();
                plan(table, request.site(), dimension, versions, firstHour, endHour, days, hours);
                summarise(c, table, request.site(), dimension, days, DAY_MICROS, request.includeBots(), merged);
                summarise(c, table, request.site(), dimension, hours, HOUR_MICROS, request.includeBots(), merged);
                if (from < firstHour * HOUR_MICROS) {
                    scan(c, table, request.site(), dimension, from, firstHour * HOUR_MICROS, request.includeBots(), merged);
                }
                if (endHour * HOUR_MICROS < to) {
                    scan(c, table, request.site(), dimension, endHour * HOUR_MICROS, to, request.includeBots(), merged);
                }
            } finally {
                c.rollback();
            }
        }
        return list(merged, dimension, limit);
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
            // A warehouse its loader has not migrated yet (schema version < 4): no summaries, scan as before.
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

    /** Whole days with events inside [firstHour, endHour) as day buckets, the other hours with events as hour buckets. */
    private static void plan(String table, String site, Dimension dimension, TreeMap<Long, Long> versions, long firstHour,
                             long endHour, List<Bucket> days, List<Bucket> hours) {
        for (long day = Math.floorDiv(firstHour + 23, 24); (day + 1) * 24 <= endHour; day++) {
            Map<Long, Long> inDay = versions.subMap(day * 24, day * 24 + 24);
            if (!inDay.isEmpty()) {
                long token = 0;
                for (long v : inDay.values()) {
                    token += v;
                }
                days.add(new Bucket(new Key(table, site, dimension, DAY_MICROS, day), token));
            }
        }
        for (Map.Entry<Long, Long> v : versions.entrySet()) {
            long day = Math.floorDiv(v.getKey(), 24);
            boolean inWholeDay = day * 24 >= firstHour && (day + 1) * 24 <= endHour;
            if (!inWholeDay) {
                hours.add(new Bucket(new Key(table, site, dimension, HOUR_MICROS, v.getKey()), v.getValue()));
            }
        }
    }

    /** Adds each bucket's summary to {@code merged}, building (in one scan per run of consecutive buckets) the missing or stale. */
    private void summarise(Connection c, String table, String site, Dimension dimension, List<Bucket> buckets, long length,
                           boolean includeBots, Map<String, Tally> merged) throws SQLException {
        List<Bucket> missing = new ArrayList<>();
        for (Bucket b : buckets) {
            Summary s = cached(b.key());
            if (s != null && s.token() == b.token()) {
                add(merged, s, includeBots);
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
            for (Summary s : build(c, table, site, dimension, run, length)) {
                add(merged, s, includeBots);
            }
            i = j;
        }
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

    /** Summarises consecutive buckets in one scan, bots included, and keeps each at its token. */
    private List<Summary> build(Connection c, String table, String site, Dimension dimension, List<Bucket> run, long length)
            throws SQLException {
        long first = run.get(0).key().index();
        Map<Long, Map<String, Tally>> perBucket = new HashMap<>();
        query(c, table, site, dimension, first * length, (first + run.size()) * length, length, true,
                (bucket, value, bot, rows, entries) -> {
                    Tally t = perBucket.computeIfAbsent(bucket, b -> new HashMap<>()).computeIfAbsent(value, v -> new Tally());
                    tally(t, bot, rows, entries);
                });
        List<Summary> built = new ArrayList<>(run.size());
        for (Bucket b : run) {
            Map<String, Group> groups = new HashMap<>();
            long size = 0;
            for (Map.Entry<String, Tally> e : perBucket.getOrDefault(b.key().index(), Map.of()).entrySet()) {
                Tally t = e.getValue();
                Group g = new Group(t.rows, t.botRows, t.sketch == null ? null : t.sketch.pack(),
                        t.botSketch == null ? null : t.botSketch.pack());
                groups.put(e.getKey(), g);
                size += 96 + (e.getKey() == null ? 0 : 2L * e.getKey().length())
                        + (g.sketch() == null ? 0 : Hll.bytes(g.sketch())) + (g.botSketch() == null ? 0 : Hll.bytes(g.botSketch()));
            }
            Summary s = new Summary(b.token(), groups, size);
            keep(b.key(), s);
            built.add(s);
        }
        return built;
    }

    private static void tally(Tally t, boolean bot, long rows, int[] entries) {
        if (bot) {
            t.botRows += rows;
        } else {
            t.rows += rows;
        }
        if (entries.length > 0) {
            Hll h = t.sketch(bot);
            for (int e : entries) {
                h.offer(e);
            }
        }
    }

    private static void add(Map<String, Tally> merged, Summary summary, boolean includeBots) {
        for (Map.Entry<String, Group> e : summary.groups().entrySet()) {
            Group g = e.getValue();
            if (g.rows() == 0 && (!includeBots || g.botRows() == 0)) {
                continue;
            }
            Tally t = merged.computeIfAbsent(e.getKey(), v -> new Tally());
            t.rows += g.rows();
            if (g.sketch() != null) {
                t.sketch(false).merge(g.sketch());
            }
            if (includeBots) {
                t.rows += g.botRows();
                if (g.botSketch() != null) {
                    t.sketch(false).merge(g.botSketch());
                }
            }
        }
    }

    /** Adds the rows of [from, to) µs to {@code merged}: bots counted with humans when included, left out otherwise. */
    private static void scan(Connection c, String table, String site, Dimension dimension, long from, long to,
                             boolean includeBots, Map<String, Tally> merged) throws SQLException {
        query(c, table, site, dimension, from, to, DAY_MICROS, includeBots, (bucket, value, bot, rows, entries) ->
                tally(merged.computeIfAbsent(value, v -> new Tally()), false, rows, entries));
    }

    @FunctionalInterface
    private interface RowSink {
        void accept(long bucket, String value, boolean bot, long rows, int[] entries);
    }

    /**
     * The events of one type in [from, to) µs, per bucket of {@code length}, value and bot flag: their number and
     * the sketch entries of their visitors (one per register used), aggregated by the warehouse so that only a
     * few thousand rows cross JDBC.
     */
    private static void query(Connection c, String table, String site, Dimension dimension, long from, long to, long length,
                              boolean includeBots, RowSink sink) throws SQLException {
        String type = dimension.kind() == Dimension.Kind.PAGEVIEW ? "pageview" : "event";
        String sql = "SELECT bucket, value, is_bot, sum(n), list(" + Hll.entrySql("register", "low") + ") FILTER (WHERE register IS NOT NULL)"
                + " FROM (SELECT bucket, value, is_bot, CASE WHEN visitor_id IS NULL THEN NULL ELSE " + Hll.registerSql("h")
                + " END AS register, min(h >> " + Hll.P + ") AS low, count(*) AS n FROM (SELECT epoch_us(received_at) // " + length
                + " AS bucket, " + dimension.column() + " AS value, is_bot, visitor_id, hash(visitor_id) AS h FROM " + table
                + " WHERE site = ? AND type = ? AND received_at >= make_timestamptz(?) AND received_at < make_timestamptz(?)"
                + (includeBots ? "" : " AND NOT is_bot") + ") e GROUP BY ALL) r GROUP BY bucket, value, is_bot";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, site);
            ps.setString(2, type);
            ps.setLong(3, from);
            ps.setLong(4, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getLong(4), entries(rs.getArray(5)));
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

    private static StatsQueries.Scan<List<StatsQueries.TopRow>> list(Map<String, Tally> merged, Dimension dimension, int limit) {
        List<StatsQueries.TopRow> rows = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Tally> e : merged.entrySet()) {
            Tally t = e.getValue();
            if (t.rows == 0) {
                continue;
            }
            total += t.rows;
            long visitors = t.sketch == null ? 0 : t.sketch.estimate();
            rows.add(dimension == Dimension.PATH
                    ? new StatsQueries.TopRow(e.getKey(), visitors, t.rows, 0, 0)
                    : new StatsQueries.TopRow(e.getKey(), visitors, 0, t.rows, 0));
        }
        rows.sort(Comparator.comparingLong(StatsQueries.TopRow::visitors).reversed()
                .thenComparing(Comparator.comparingLong(StatsQueries.TopRow::pageviews).reversed())
                .thenComparing(Comparator.comparingLong(StatsQueries.TopRow::events).reversed())
                .thenComparing(StatsQueries.TopRow::value, Comparator.nullsLast(Comparator.naturalOrder())));
        return new StatsQueries.Scan<>(List.copyOf(rows.subList(0, Math.min(limit, rows.size()))), total);
    }
}
