package io.footfall.query.stats;

import io.footfall.core.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stats the API serves, as SQL both warehouses understand (DuckDB and PostgreSQL). Every metric is
 * defined in {@code docs/api.md}; in short, over the sessions of one site that started in [from, to), bots
 * excluded, filters applied to each session: visitors = distinct visitor ids; sessions = their number;
 * pageviews / events = their events of that type; views per session = pageviews / sessions; bounce rate =
 * % of sessions with exactly one page view and no custom event; visit duration = mean over sessions of
 * (last − first event time) in seconds. Those come from the loader's sessions rollup ({@link SessionScope});
 * a filter on a page path or event name, the path and event-name top lists, realtime and minute series
 * count the events received in [from, to) instead, from the events table ({@link EventScope}).
 *
 * <p>Distinct visitors are counted exactly while a query aggregates at most {@code exactVisitorsUpTo} rows
 * (sessions, or events for the event-level stats). Above that, on DuckDB, they are estimated with
 * HyperLogLog ({@code approx_count_distinct}: about a tenth of the time of an exact distinct count over
 * millions of rows, off by a few percent), and the answer says so; PostgreSQL always counts exactly. The
 * estimated stats without filters (summary, time series from hours in zones of whole-hour offsets, every top
 * list) come from summaries of finished hours and days ({@link SketchCache}) plus the rest of the range.
 */
public final class StatsQueries {

    /** A minute series over 30 days is 43,200 points: more than a chart can show; cap the response. */
    public static final int MAX_BUCKETS = 5_000;
    /** Realtime window sizes: visitors of the last 5 minutes ("current visitors"), a series of the last 30. */
    static final int REALTIME_VISITOR_MINUTES = 5;
    static final int REALTIME_SERIES_MINUTES = 30;

    private final Warehouse warehouse;
    private final Clock clock;
    private final long exactVisitorsUpTo;
    /** Summaries of finished hours and days for the estimated (DuckDB) stats without filters; null: none. */
    private final SketchCache sketches;

    public StatsQueries(Warehouse warehouse, Clock clock, long exactVisitorsUpTo) {
        this(warehouse, clock, exactVisitorsUpTo, io.footfall.core.config.QueryConfig.SUMMARY_CACHE_MB);
    }

    /** @param summaryCacheMb heap for the summaries of finished hours and days ({@link SketchCache}); 0: none */
    public StatsQueries(Warehouse warehouse, Clock clock, long exactVisitorsUpTo, int summaryCacheMb) {
        this.warehouse = warehouse;
        this.clock = clock;
        this.exactVisitorsUpTo = exactVisitorsUpTo;
        this.sketches = summaryCacheMb > 0 ? new SketchCache(summaryCacheMb * 1024L * 1024L) : null;
    }

    /** A result whose visitor counts are estimated ({@code visitorsEstimated}) or exact. */
    public record Counted<T>(T value, boolean visitorsEstimated) {
    }

    /** The headline numbers of one period. Ratios are 0 when there is no session. */
    public record Summary(long visitors, long sessions, long pageviews, long events, double viewsPerSession,
                          double bounceRate, double visitDurationSeconds, boolean visitorsEstimated) {
    }

    /** One time-series bucket; {@code start} is the bucket's local start in the requested zone. */
    public record Point(ZonedDateTime start, long visitors, long pageviews, long events, long sessions) {
    }

    /** One row of a top list; {@code value} null means the column was empty (e.g. direct traffic). */
    public record TopRow(String value, long visitors, long pageviews, long events, long sessions) {
    }

    /** Visitors in the last 5 minutes; page views per minute for the last 30, oldest first. */
    public record Realtime(Instant now, long visitors, Instant seriesStart, List<Long> pageviewsPerMinute,
                           boolean visitorsEstimated) {
    }

    /** What one run of a query returned, and how many rows it aggregated. */
    record Scan<T>(T value, long rows) {
    }

    /** A query whose visitor count is either estimated or exact. */
    @FunctionalInterface
    private interface VisitorQuery<T> {
        Scan<T> run(boolean estimate) throws SQLException;
    }

    /** How many rows the last query of each shape aggregated (see {@link #countingVisitors}); bounded, LRU. */
    private final Map<String, Long> lastRows = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                    return size() > 4096;
                }
            });

    /**
     * Runs {@code query} counting visitors exactly when it aggregates at most {@code exactVisitorsUpTo} rows,
     * estimating them above. Whether it will is known only afterwards, so the query first runs the way the
     * last query of the same {@code shape} (kind, site, filters, day of the start, order of magnitude of the
     * length) needed, then once more exactly if it estimated over few rows after all; a query that counted
     * exactly over more rows is exact anyway, only slower that once. A dashboard refreshing the same view, or
     * a poll, thus runs one query. PostgreSQL, which has no estimate, always counts exactly.
     */
    private <T> Counted<T> countingVisitors(String shape, VisitorQuery<T> query) throws SQLException {
        if (!estimates()) {
            return new Counted<>(query.run(false).value(), false);
        }
        Long last = lastRows.get(shape);
        boolean estimate = last == null || last > exactVisitorsUpTo;
        Scan<T> scan = query.run(estimate);
        lastRows.put(shape, scan.rows());
        if (estimate && scan.rows() <= exactVisitorsUpTo) {
            return new Counted<>(query.run(false).value(), false);
        }
        return new Counted<>(scan.value(), estimate);
    }

    /** The shape of a request for {@link #countingVisitors}: what makes two requests aggregate similar row counts. */
    private static String shape(String kind, StatsRequest request) {
        long seconds = request.range().to().getEpochSecond() - request.range().from().getEpochSecond();
        return kind + '|' + request.site() + '|' + request.filters() + '|' + request.includeBots() + '|'
                + request.range().from().getEpochSecond() / 86_400 + '|' + (63 - Long.numberOfLeadingZeros(Math.max(1, seconds)));
    }

    private boolean estimates() {
        return warehouse.dialect().equals("duckdb");
    }

    /** The distinct count of {@code column}: estimated or exact. */
    private static String distinct(String column, boolean estimate) {
        return estimate ? "approx_count_distinct(" + column + ")" : "count(DISTINCT " + column + ")";
    }

    public Summary summary(StatsRequest request) throws SQLException {
        Counted<Summary> counted = countingVisitors(shape("summary", request), estimate -> summary(request, estimate));
        Summary s = counted.value();
        return new Summary(s.visitors(), s.sessions(), s.pageviews(), s.events(), s.viewsPerSession(), s.bounceRate(),
                s.visitDurationSeconds(), counted.visitorsEstimated());
    }

    /** Whether the summaries of finished hours and days ({@link SketchCache}) may answer: estimated visitors, no filters. */
    private boolean summarised(StatsRequest request, boolean estimate) {
        return estimate && sketches != null && request.filters().isEmpty();
    }

    private Scan<Summary> summary(StatsRequest request, boolean estimate) throws SQLException {
        if (summarised(request, estimate)) {
            Map<Long, SketchCache.Tally> hours = sketches.totals(warehouse, request, clock.instant());
            if (hours != null) {
                SketchCache.Tally all = new SketchCache.Tally(SketchCache.Source.SESSIONS);
                hours.values().forEach(all::add);
                long[] n = all.counts;
                return new Scan<>(summary(all.visitors(), n[SketchCache.SESSIONS], n[SketchCache.PAGEVIEWS], n[SketchCache.EVENTS],
                        n[SketchCache.BOUNCED], n[SketchCache.DURATION_MICROS],
                        true), n[SketchCache.ROWS]);
            }
        }
        double from = request.range().fromSeconds();
        double to = request.range().toSeconds();
        Sql sql = new Sql();
        if (SessionScope.serves(request)) {
            // Sums of casts instead of FILTER clauses (each FILTER cost DuckDB ~8 ms over 3.5M rows); a sessionless
            // row is one event, so its duration is 0 and the sum of durations is that of the sessions.
            String sessions = "(count(*) - coalesce(sum(CAST(sessionless AS INTEGER)), 0))";
            sql.append("SELECT " + distinct("visitor_key", estimate) + ", CAST(coalesce(sum(pageviews), 0) AS BIGINT), "
                    + "CAST(coalesce(sum(events), 0) AS BIGINT), " + sessions + ", "
                    + "coalesce(sum(CAST(pageviews = 1 AND events = 0 AND NOT sessionless AS INTEGER)), 0), "
                    + "CAST(coalesce(sum(" + micros("first_at", "last_at") + "), 0) AS BIGINT), count(*) FROM " + warehouse.sessionsTable() + " WHERE ");
            SessionScope.append(sql, request, from, to);
        } else {
            // Group the range's matching events by session (a session belongs to one visitor, so grouping by both
            // keeps every visitor, including events without a session), then aggregate the groups. Page views and
            // events are the matching ones; bounces and durations are those of the sessions as whole visits, from
            // the rollup (docs/api.md): of the visits that saw /pricing, how many bounced and how long they lasted.
            // Every session with an event in the range started before its end and lasted past its start.
            sql.append("SELECT " + distinct("s.visitor_id", estimate) + ", CAST(coalesce(sum(s.pv), 0) AS BIGINT), "
                            + "CAST(coalesce(sum(s.ev), 0) AS BIGINT), count(s.session_id), "
                            + "count(r.session_id) FILTER (WHERE r.pageviews = 1 AND r.events = 0), "
                            + "CAST(coalesce(sum(" + micros("r.first_at", "r.last_at") + "), 0) AS BIGINT), count(*) FROM ("
                            + "SELECT session_id, visitor_id, count(*) FILTER (WHERE type = 'pageview') AS pv, "
                            + "count(*) FILTER (WHERE type = 'event') AS ev FROM ")
                    .append(warehouse.eventsTable()).append(" WHERE ");
            EventScope.append(sql, warehouse.eventsTable(), warehouse.dialect(), request, from, to);
            sql.append(" GROUP BY session_id, visitor_id) s LEFT JOIN (SELECT session_id, pageviews, events, first_at, last_at FROM "
                    + warehouse.sessionsTable() + " WHERE site = ? AND NOT sessionless AND first_at < to_timestamp(?)"
                    + " AND last_at >= to_timestamp(?)) r ON r.session_id = s.session_id", request.site(), to, from);
        }
        try (Connection c = warehouse.keptReadConnection(); PreparedStatement ps = sql.prepare(c);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Scan<>(summary(rs.getLong(1), rs.getLong(4), rs.getLong(2), rs.getLong(3), rs.getLong(5), rs.getLong(6),
                    estimate), rs.getLong(7));
        }
    }

    /**
     * The headline numbers from whole counts; each ratio is rounded from the exact quotient (674.855 s is 674.86 on
     * both warehouses, 201 views in 200 sessions 1.01), not from a binary double.
     *
     * @param durationMicros the sessions' durations summed, in µs
     */
    private static Summary summary(long visitors, long sessions, long pageviews, long events, long bounced,
                                   long durationMicros, boolean estimate) {
        return new Summary(visitors, sessions, pageviews, events, ratio2(pageviews, sessions), ratio2(100 * bounced, sessions),
                ratio2(durationMicros, sessions * 1_000_000L), estimate);
    }

    /** {@code numerator / denominator} rounded half up to 2 decimals; 0 without a denominator. */
    static double ratio2(long numerator, long denominator) {
        return denominator == 0 ? 0 : java.math.BigDecimal.valueOf(numerator)
                .divide(java.math.BigDecimal.valueOf(denominator), 2, java.math.RoundingMode.HALF_UP).doubleValue();
    }

    /** Microseconds from one timestamp expression to another, a whole number on both warehouses. */
    private String micros(String from, String to) {
        return warehouse.dialect().equals("postgres")
                ? "CAST(extract(epoch FROM " + to + " - " + from + ") * 1000000 AS BIGINT)"
                // epoch_us is a cast; epoch_ms of a TIMESTAMPTZ costs several times more (2/3 of a 30-day summary).
                : "(epoch_us(" + to + ") - epoch_us(" + from + "))";
    }

    public Counted<List<Point>> timeseries(StatsRequest request, Interval interval, ZoneId zone) throws SQLException {
        return countingVisitors(shape("series " + interval, request),
                estimate -> timeseries(request, interval, zone, estimate));
    }

    private Scan<List<Point>> timeseries(StatsRequest request, Interval interval, ZoneId zone, boolean estimate)
            throws SQLException {
        if (interval != Interval.MINUTE && summarised(request, estimate) && wholeHours(zone, request.range())) {
            Map<Long, SketchCache.Tally> hours = sketches.totals(warehouse, request, clock.instant());
            if (hours != null) {
                // Each hour's sessions in the bucket the hour is in: in a zone whose offsets are whole hours, no
                // hour straddles two buckets.
                Map<Instant, SketchCache.Tally> buckets = new HashMap<>();
                long rows = 0;
                for (Map.Entry<Long, SketchCache.Tally> e : hours.entrySet()) {
                    Instant bucket = interval.bucketStart(Instant.ofEpochSecond(e.getKey() * 3600), zone);
                    buckets.computeIfAbsent(bucket, b -> new SketchCache.Tally(SketchCache.Source.SESSIONS)).add(e.getValue());
                    rows += e.getValue().counts[SketchCache.ROWS];
                }
                Map<Instant, Point> found = new HashMap<>();
                buckets.forEach((bucket, t) -> found.put(bucket, new Point(ZonedDateTime.ofInstant(bucket, zone), t.visitors(),
                        t.counts[SketchCache.PAGEVIEWS], t.counts[SketchCache.EVENTS], t.counts[SketchCache.SESSIONS])));
                return new Scan<>(series(found, request.range(), interval, zone), rows);
            }
        }
        double from = request.range().fromSeconds();
        double to = request.range().toSeconds();
        Sql sql = new Sql();
        if (interval != Interval.MINUTE && SessionScope.serves(request)) {
            // Each session in the bucket it started in.
            sql.append("SELECT ");
            localBucket(sql, "first_at", interval, zone, request.range());
            sql.append(" AS bucket, " + distinct("visitor_key", estimate) + ", CAST(sum(pageviews) AS BIGINT), "
                    + "CAST(sum(events) AS BIGINT), count(*) FILTER (WHERE NOT sessionless), count(*) FROM "
                    + warehouse.sessionsTable() + " WHERE ");
            SessionScope.append(sql, request, from, to);
        } else {
            sql.append("SELECT ");
            localBucket(sql, "received_at", interval, zone, request.range());
            sql.append(" AS bucket, " + distinct("visitor_id", estimate) + ", count(*) FILTER (WHERE type = 'pageview'), "
                            + "count(*) FILTER (WHERE type = 'event'), count(DISTINCT session_id), count(*) FROM ")
                    .append(warehouse.eventsTable()).append(" WHERE ");
            EventScope.append(sql, warehouse.eventsTable(), warehouse.dialect(), request, from, to);
        }
        sql.append(" GROUP BY 1");
        Map<Instant, Point> found = new HashMap<>();
        long rows = 0;
        try (Connection c = warehouse.keptReadConnection(); PreparedStatement ps = sql.prepare(c);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows += rs.getLong(6);
                Instant bucket = bucketInstant(rs, interval, zone);
                found.put(bucket, new Point(ZonedDateTime.ofInstant(bucket, zone), rs.getLong(2), rs.getLong(3),
                        rs.getLong(4), rs.getLong(5)));
            }
        }
        return new Scan<>(series(found, request.range(), interval, zone), rows);
    }

    /**
     * Every bucket of the range in order, those without data at zero. Buckets are told apart by the instant they
     * start at, so the hour that repeats when clocks go back is two points, and the hour skipped when they go
     * forward none.
     */
    private static List<Point> series(Map<Instant, Point> found, TimeRange range, Interval interval, ZoneId zone) {
        List<Point> out = new ArrayList<>();
        for (ZonedDateTime b = interval.first(range.from(), zone); b.toInstant().isBefore(range.to()); b = interval.next(b)) {
            Point p = found.get(b.toInstant());
            out.add(p != null ? p : new Point(b, 0, 0, 0, 0));
        }
        return out;
    }

    /** The start of the bucket a row of a time-series query names (column 1, as {@link #localBucket} wrote it). */
    private Instant bucketInstant(ResultSet rs, Interval interval, ZoneId zone) throws SQLException {
        if (warehouse.dialect().equals("postgres") || interval.fixedInstants()) {
            return Instant.EPOCH.plus(rs.getLong(1), java.time.temporal.ChronoUnit.MICROS);
        }
        long fixed = fixedBucketMicros(interval);
        LocalDateTime local = fixed > 0
                ? LocalDateTime.ofEpochSecond(Math.floorDiv(rs.getLong(1) * fixed - WEEK_SHIFT_MICROS, 1_000_000L), 0,
                java.time.ZoneOffset.UTC)
                : LocalDateTime.parse(rs.getString(1).replace(' ', 'T'));
        return ZonedDateTime.ofLocal(local, zone, null).toInstant();
    }

    /** Whether every offset of {@code zone} in the range is whole hours and changes at whole UTC hours. */
    static boolean wholeHours(ZoneId zone, TimeRange range) {
        java.time.zone.ZoneRules rules = zone.getRules();
        if (rules.getOffset(range.from()).getTotalSeconds() % 3600 != 0) {
            return false;
        }
        for (java.time.zone.ZoneOffsetTransition t = rules.nextTransition(range.from()); t != null && t.getInstant().isBefore(range.to());
             t = rules.nextTransition(t.getInstant())) {
            if (t.getOffsetAfter().getTotalSeconds() % 3600 != 0 || t.getInstant().getEpochSecond() % 3600 != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Local time in µs since 1970-01-01T00:00 plus this, divided by a week, numbers weeks from Monday: the
     * epoch was a Thursday. Added to every fixed-length bucket (a multiple of it for the others).
     */
    private static final long WEEK_SHIFT_MICROS = 3 * 86_400_000_000L;

    /** DuckDB: a bucket's length in µs of local time when it has a fixed one (minute to week); 0 for a month. */
    private long fixedBucketMicros(Interval interval) {
        if (warehouse.dialect().equals("postgres")) {
            return 0;
        }
        return switch (interval) {
            case MINUTE -> 60_000_000L;
            case HOUR -> 3_600_000_000L;
            case DAY -> 86_400_000_000L;
            case WEEK -> 7 * 86_400_000_000L;
            case MONTH -> 0;
        };
    }

    /**
     * Appends the local start of the bucket holding {@code column}. PostgreSQL converts each timestamp to the
     * zone and truncates it, giving text {@code yyyy-MM-dd HH:mm:ss}. DuckDB's conversion (ICU) costs more than
     * the rest of a time-series query together, so there the local time is the UTC time plus the zone's
     * offset, the offset a {@code CASE} over the zone's transitions inside the range (none in most ranges, one
     * or two around a daylight-saving change; rows outside the range are filtered out anyway); a bucket of
     * fixed length (minute to week) is then the bucket number, an integer division of that local time in µs
     * (read back by {@link #fixedBucketMicros}), and a month the truncated local timestamp as text.
     */
    private void localBucket(Sql sql, String column, Interval interval, ZoneId zone, TimeRange range) {
        if (warehouse.dialect().equals("postgres")) {
            // The bucket's start as an instant (µs since the epoch): date_trunc in the zone gives a timestamptz.
            sql.append("CAST(extract(epoch FROM date_trunc('" + interval.sqlName() + "', " + column + ", ?)) * 1000000 AS BIGINT)",
                    postgresZone(zone));
            return;
        }
        java.time.zone.ZoneRules rules = zone.getRules();
        StringBuilder offset = new StringBuilder("CASE");
        List<Object> values = new ArrayList<>();
        Instant at = range.from();
        for (java.time.zone.ZoneOffsetTransition t = rules.nextTransition(at); t != null && t.getInstant().isBefore(range.to());
             t = rules.nextTransition(t.getInstant())) {
            offset.append(" WHEN epoch_us(").append(column).append(") < ? THEN ?");
            values.add(t.getInstant().getEpochSecond() * 1_000_000L);
            values.add(t.getOffsetBefore().getTotalSeconds() * 1_000_000L);
        }
        values.add(rules.getOffset(range.to().minusNanos(1)).getTotalSeconds() * 1_000_000L);
        offset.append(" ELSE ? END");
        String offsetAtRow = values.size() == 1 ? "?" : "(" + offset + ")";
        String local = "epoch_us(" + column + ") + " + offsetAtRow;
        long fixed = fixedBucketMicros(interval);
        if (interval.fixedInstants()) {
            // A minute or an hour: its start as an instant, the local start minus the offset at the row, so the hour
            // that repeats when clocks go back is two buckets.
            List<Object> params = new ArrayList<>(values);
            params.add(fixed);
            params.add(fixed);
            params.addAll(values);
            sql.append("((" + local + ") // ? * ? - " + offsetAtRow + ")", params.toArray());
        } else if (fixed > 0) {
            values.add(WEEK_SHIFT_MICROS);
            values.add(fixed);
            sql.append("((" + local + " + ?) // ?)", values.toArray());
        } else {
            sql.append("CAST(date_trunc('" + interval.sqlName() + "', make_timestamp(" + local + ")) AS VARCHAR)",
                    values.toArray());
        }
    }

    /**
     * The zone as PostgreSQL reads it. A fixed offset (+05:30, UTC-8) would be read as a POSIX zone, whose sign is
     * the other way round: it goes as a POSIX spec that says what is meant ({@code <+0530>-05:30}).
     */
    static String postgresZone(ZoneId zone) {
        if (!(zone.normalized() instanceof java.time.ZoneOffset offset)) {
            return zone.getId();
        }
        int seconds = offset.getTotalSeconds();
        if (seconds == 0) {
            return "UTC";
        }
        String name = offset.getId().replace(":", "");
        int abs = Math.abs(seconds);
        return "<" + name + ">" + (seconds > 0 ? "-" : "+") + String.format("%02d:%02d:%02d", abs / 3600, abs / 60 % 60, abs % 60);
    }

    /** How many buckets a series would have, computed without building it, to refuse huge ones early. */
    public static long bucketCount(TimeRange range, Interval interval, ZoneId zone) {
        long n = 0;
        for (ZonedDateTime b = interval.first(range.from(), zone); b.toInstant().isBefore(range.to()) && n <= MAX_BUCKETS;
             b = interval.next(b)) {
            n++;
        }
        return n;
    }

    public Counted<List<TopRow>> top(StatsRequest request, Dimension dimension, int limit) throws SQLException {
        return top(request, dimension, null, limit);
    }

    /**
     * A top list; {@code key} names the custom property of {@link Dimension#PROP} (null for every other
     * dimension).
     */
    public Counted<List<TopRow>> top(StatsRequest request, Dimension dimension, String key, int limit) throws SQLException {
        if ((dimension == Dimension.PROP) != (key != null)) {
            throw new IllegalArgumentException("a key goes with the prop dimension, and only with it: " + dimension + " " + key);
        }
        return countingVisitors(shape("top " + dimension + (key == null ? "" : key), request),
                estimate -> top(request, dimension, key, limit, estimate));
    }

    /**
     * Beside every row of a top list, how many rows all its groups aggregated; only DuckDB needs it (to choose
     * between an estimate and an exact count), and the window doubled PostgreSQL's time for the path list.
     */
    private String rowsOfAllGroups() {
        return estimates() ? "sum(count(*)) OVER ()" : "0";
    }

    private Scan<List<TopRow>> top(StatsRequest request, Dimension dimension, String key, int limit, boolean estimate)
            throws SQLException {
        String table = warehouse.eventsTable();
        Sql sql = new Sql();
        String sessionColumn = dimension.sessionColumn();
        if (sessionColumn != null && SessionScope.serves(request)) {
            if (summarised(request, estimate)) {
                Scan<List<TopRow>> summarisedList = sketches.top(warehouse, request, dimension, limit, clock.instant());
                if (summarisedList != null) {
                    return summarisedList;
                }
            }
            sql.append("SELECT " + sessionColumn + ", " + distinct("visitor_key", estimate) + ", CAST(sum(pageviews) AS BIGINT), "
                    + "CAST(sum(events) AS BIGINT), count(*) FILTER (WHERE NOT sessionless), " + rowsOfAllGroups() + " FROM "
                    + warehouse.sessionsTable() + " WHERE ");
            SessionScope.append(sql, request, request.range().fromSeconds(), request.range().toSeconds());
            if (dimension.isSessionLevel()) {
                // Entry and exit pages exist for sessions with a page view.
                sql.append(" AND entry_key IS NOT NULL GROUP BY " + sessionColumn + " ORDER BY 2 DESC, 5 DESC, 1 NULLS LAST LIMIT ?", limit);
            } else {
                sql.append(" GROUP BY " + sessionColumn + " ORDER BY 2 DESC, 3 DESC, 4 DESC, 1 NULLS LAST LIMIT ?", limit);
            }
            List<TopRow> rows = new ArrayList<>();
            long scanned = 0;
            try (Connection c = warehouse.keptReadConnection(); PreparedStatement ps = sql.prepare(c);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new TopRow(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                    scanned = rs.getLong(6);
                }
            }
            return new Scan<>(rows, scanned);
        }
        if (summarised(request, estimate) && dimension.summarisable()) {
            Scan<List<TopRow>> summarised = sketches.top(warehouse, request, dimension, limit, clock.instant());
            if (summarised != null) {
                return summarised;
            }
        }
        if (dimension.isSessionLevel()) {
            sql.append("SELECT path, " + distinct("visitor_id", estimate) + ", count(*), 0, " + rowsOfAllGroups() + " FROM ");
            EventScope.edges(sql, dimension, table, warehouse.dialect(), request, request.range().fromSeconds(),
                    request.range().toSeconds(), true);
            sql.append(" edge GROUP BY path ORDER BY 2 DESC, 3 DESC, 1 NULLS LAST LIMIT ?", limit);
        } else if (sessionColumn != null) {
            // A session attribute is the session's own (its first event's) also when a path or event_name filter
            // makes this an events-table list: each kept event takes its session's value from the rollup, so the
            // later page views of a session from Google count for Google, not for the site's own links. An event
            // without a session is a session of its own.
            sql.append("SELECT CASE WHEN kept.session_id IS NULL THEN kept.attr ELSE s." + sessionColumn + " END, "
                    + distinct("kept.visitor_id", estimate) + ", count(*) FILTER (WHERE kept.type = 'pageview'), "
                    + "count(*) FILTER (WHERE kept.type = 'event'), " + rowsOfAllGroups() + " FROM (SELECT session_id, "
                    + "visitor_id, type, " + dimension.column() + " AS attr FROM " + table + " WHERE ");
            EventScope.append(sql, table, warehouse.dialect(), request, request.range().fromSeconds(), request.range().toSeconds());
            // Every session with a kept event overlaps the range: the bound keeps the join to those.
            sql.append(") kept LEFT JOIN " + Warehouse.sessionsTableBeside(table) + " s ON s.site = ? AND s.session_id = kept.session_id"
                    + " AND s.first_at < to_timestamp(?) AND s.last_at >= to_timestamp(?)",
                    request.site(), request.range().toSeconds(), request.range().fromSeconds());
            sql.append(" GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 4 DESC, 1 NULLS LAST LIMIT ?", limit);
        } else if (dimension == Dimension.PROP_KEY) {
            // Each event once per key it carries.
            String keys = warehouse.dialect().equals("duckdb") ? "unnest(json_keys(props))" : "jsonb_object_keys(props)";
            sql.append("SELECT k, " + distinct("visitor_id", estimate) + ", count(*) FILTER (WHERE type = 'pageview'), "
                    + "count(*) FILTER (WHERE type = 'event'), " + rowsOfAllGroups() + " FROM (SELECT " + keys + " AS k, visitor_id, "
                    + "type FROM " + table + " WHERE props IS NOT NULL AND ");
            EventScope.append(sql, table, warehouse.dialect(), request, request.range().fromSeconds(), request.range().toSeconds());
            sql.append(") keyed GROUP BY k ORDER BY 2 DESC, 3 DESC, 4 DESC, 1 LIMIT ?", limit);
        } else if (dimension == Dimension.PROP) {
            // The events that carry the property, by its value.
            EventScope.Column value = EventScope.propValue(warehouse.dialect(), key);
            sql.append("SELECT ");
            value.appendTo(sql);
            sql.append(", " + distinct("visitor_id", estimate) + ", count(*) FILTER (WHERE type = 'pageview'), "
                    + "count(*) FILTER (WHERE type = 'event'), " + rowsOfAllGroups() + " FROM " + table + " WHERE props IS NOT NULL AND ");
            EventScope.append(sql, table, warehouse.dialect(), request, request.range().fromSeconds(), request.range().toSeconds());
            sql.append(" AND ");
            value.appendTo(sql);
            sql.append(" IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 4 DESC, 1 LIMIT ?", limit);
        } else {
            String column = dimension.column();
            sql.append("SELECT " + column + ", " + distinct("visitor_id", estimate) + ", count(*) FILTER (WHERE type = 'pageview'), "
                    + "count(*) FILTER (WHERE type = 'event'), " + rowsOfAllGroups() + " FROM " + table + " WHERE ");
            EventScope.append(sql, table, warehouse.dialect(), request, request.range().fromSeconds(), request.range().toSeconds());
            if (dimension.kind() == Dimension.Kind.PAGEVIEW) {
                sql.append(" AND type = 'pageview'");
            } else if (dimension.kind() == Dimension.Kind.CUSTOM_EVENT) {
                sql.append(" AND type = 'event'");
            }
            sql.append(" GROUP BY " + column + " ORDER BY 2 DESC, 3 DESC, 4 DESC, 1 NULLS LAST LIMIT ?", limit);
        }
        List<TopRow> rows = new ArrayList<>();
        long scanned = 0;
        try (Connection c = warehouse.keptReadConnection(); PreparedStatement ps = sql.prepare(c);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(dimension.isSessionLevel()
                        ? new TopRow(rs.getString(1), rs.getLong(2), 0, 0, rs.getLong(3))
                        : new TopRow(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), 0));
                scanned = rs.getLong(5);
            }
        }
        return new Scan<>(rows, scanned);
    }

    /** Whether a top list of this dimension counts custom events that can be goals: it carries conversion rates. */
    public static boolean hasConversionRate(Dimension dimension) {
        return dimension == Dimension.EVENT_NAME || dimension == Dimension.PROP_KEY || dimension == Dimension.PROP;
    }

    /**
     * The base of a goal's conversion rate: distinct visitors with any event (page view or custom event) received in
     * the range, with the request's filters except those that pick custom events ({@code event_name}, {@code
     * prop:<key>}). So with {@code filters=country==FR;event_name==signup} a signup's rate is French signing-up
     * visitors over French visitors. Counted over the events like the custom-event lists, so a row's visitors are a
     * subset of it.
     */
    public Counted<Long> conversionBase(StatsRequest request) throws SQLException {
        StatsRequest base = new StatsRequest(request.site(), request.range(), request.filters().stream()
                .filter(f -> f.dimension() != Dimension.EVENT_NAME && f.dimension() != Dimension.PROP).toList(),
                request.includeBots());
        return countingVisitors(shape("visitors", base),
                estimate -> eventVisitors(base, base.range().fromSeconds(), base.range().toSeconds(), estimate));
    }

    /** Distinct visitors with an event received in [from, to) under the request's filters, and the events counted. */
    private Scan<Long> eventVisitors(StatsRequest request, double fromSeconds, double toSeconds, boolean estimate) throws SQLException {
        String table = warehouse.eventsTable();
        Sql sql = new Sql().append("SELECT " + distinct("visitor_id", estimate) + ", count(*) FROM " + table + " WHERE ");
        EventScope.append(sql, table, warehouse.dialect(), request, fromSeconds, toSeconds);
        try (Connection c = warehouse.keptReadConnection(); PreparedStatement ps = sql.prepare(c);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Scan<>(rs.getLong(1), rs.getLong(2));
        }
    }

    /** {@code visitors} as a percentage of {@code base}, 2 decimals, at most 100 (an estimate can overshoot); 0 without a base. */
    public static double conversionRate(long visitors, long base) {
        return Math.min(100.0, ratio2(100 * visitors, base));
    }

    public Realtime realtime(StatsRequest request) throws SQLException {
        Instant now = clock.instant();
        long nowMinute = Math.floorDiv(now.getEpochSecond(), 60);
        long firstMinute = nowMinute - REALTIME_SERIES_MINUTES + 1;
        double visitorsFrom = now.minusSeconds(60L * REALTIME_VISITOR_MINUTES).toEpochMilli() / 1000.0;
        double seriesFrom = firstMinute * 60.0;
        double seriesTo = (nowMinute + 1) * 60.0;
        String table = warehouse.eventsTable();
        Counted<Long> visitorCount = countingVisitors("realtime|" + request.site() + '|' + request.filters() + '|'
                + request.includeBots(), estimate -> eventVisitors(request, visitorsFrom, seriesTo, estimate));
        Sql series = new Sql().append("SELECT CAST(floor(extract(epoch FROM received_at) / 60) AS BIGINT) AS m, count(*) FROM "
                + table + " WHERE ");
        EventScope.append(series, table, warehouse.dialect(), request, seriesFrom, seriesTo);
        series.append(" AND type = 'pageview' GROUP BY 1");
        long[] perMinute = new long[REALTIME_SERIES_MINUTES];
        try (Connection c = warehouse.keptReadConnection(); PreparedStatement ps = series.prepare(c);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int index = (int) (rs.getLong(1) - firstMinute);
                if (index >= 0 && index < perMinute.length) {
                    perMinute[index] += rs.getLong(2);
                }
            }
        }
        List<Long> list = new ArrayList<>(perMinute.length);
        for (long n : perMinute) {
            list.add(n);
        }
        return new Realtime(now, visitorCount.value(), Instant.ofEpochSecond(firstMinute * 60), list,
                visitorCount.visitorsEstimated());
    }

    /** The summaries of finished hours and days; null when off or on PostgreSQL (for tests). */
    SketchCache sketches() {
        return estimates() ? sketches : null;
    }

    /** How many of the most recently active sites {@link #warmSummaries} prepares. */
    static final int WARM_SITES = 10;
    /** The lists of the dashboard's first view (each panel's first tab), which {@link #warmSummaries} prepares. */
    private static final List<Dimension> WARM_DIMENSIONS = List.of(Dimension.PATH, Dimension.SOURCE, Dimension.COUNTRY,
            Dimension.BROWSER, Dimension.EVENT_NAME);

    /**
     * Builds the summaries of the last 31 days' totals and of the dashboard's first lists ({@link SketchCache}) for
     * the most recently active sites, so that the first dashboard view after a start does not wait for them;
     * then those of every other list for the most recently active site, so that its other tabs do not wait
     * either (only one site's: every list of many busy sites would push the first views' out of the bound).
     * DuckDB only.
     *
     * @return how many sites were prepared
     */
    public int warmSummaries() throws SQLException {
        if (!estimates() || sketches == null) {
            return 0;
        }
        Instant now = clock.instant();
        TimeRange range = new TimeRange(now.minus(java.time.Duration.ofDays(31)), now);
        List<String> sites = sites();
        sites = sites.subList(0, Math.min(WARM_SITES, sites.size()));
        for (String site : sites) {
            StatsRequest request = new StatsRequest(site, range, List.of(), false);
            sketches.totals(warehouse, request, now);
            for (Dimension dimension : WARM_DIMENSIONS) {
                sketches.top(warehouse, request, dimension, 1, now);
            }
        }
        if (!sites.isEmpty()) {
            StatsRequest latest = new StatsRequest(sites.get(0), range, List.of(), false);
            for (Dimension dimension : Dimension.values()) {
                if (dimension.summarisable() && !WARM_DIMENSIONS.contains(dimension)) {
                    sketches.top(warehouse, latest, dimension, 1, now);
                }
            }
        }
        return sites.size();
    }

    /**
     * Sites that have events, most recent first: the dashboard's site picker. On DuckDB from the loader's
     * hour versions (one row per site and hour: 2 ms instead of 26 ms over the 3.5M sessions of the query
     * benchmark, on every dashboard load), so sites last active in the same hour come in name order; a site all of
     * whose events {@code loader.retention} deleted is left out.
     */
    public List<String> sites() throws SQLException {
        if (estimates()) {
            try {
                // Hours before the latest retention cutoff keep their rows (versions only go up) but hold nothing; of
                // the cutoff's own hour only what came after it is left.
                return sites("SELECT site FROM " + warehouse.hourVersionsTable() + " v, (SELECT coalesce(max(epoch_us("
                        + "expired_before)), 0) AS cut FROM " + warehouse.retentionTable() + ") r WHERE v.hour > r.cut // 3600000000"
                        + " OR (v.hour = r.cut // 3600000000 AND EXISTS (SELECT 1 FROM " + warehouse.eventsTable() + " e WHERE"
                        + " e.site = v.site AND epoch_us(e.received_at) >= r.cut AND epoch_us(e.received_at) < (v.hour + 1) * 3600000000))"
                        + " GROUP BY site ORDER BY max(hour) DESC, site LIMIT 1000");
            } catch (SQLException e) {
                // A warehouse its loader has not migrated yet (schema version < 4): read the sessions.
                if (!SketchCache.isMissingTable(e)) {
                    throw e;
                }
            }
        }
        return sites("SELECT site FROM " + warehouse.sessionsTable() + " GROUP BY site ORDER BY max(last_at) DESC LIMIT 1000");
    }

    /**
     * The cutoff {@code loader.retention} last deleted events before (received then or later are kept), or null when it
     * has not run: the dashboard says so under a range that starts earlier.
     */
    public Instant deletedBefore() throws SQLException {
        try (Connection c = warehouse.keptReadConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT CAST(extract(epoch FROM expired_before) AS BIGINT) FROM " + warehouse.retentionTable());
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Instant.ofEpochSecond(rs.getLong(1)) : null;
        } catch (SQLException e) {
            // A warehouse its loader has not migrated yet (schema version < 6): nothing was deleted.
            if (SketchCache.isMissingTable(e)) {
                return null;
            }
            throw e;
        }
    }

    private List<String> sites(String sql) throws SQLException {
        List<String> sites = new ArrayList<>();
        try (Connection c = warehouse.keptReadConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                sites.add(rs.getString(1));
            }
        }
        return sites;
    }

    /** True when the warehouse answers a trivial query. */
    public boolean reachable() {
        try (Connection c = warehouse.keptReadConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }
}
