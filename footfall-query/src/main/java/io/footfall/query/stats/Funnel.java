package io.footfall.query.stats;

import io.footfall.core.warehouse.Warehouse;
import io.footfall.query.http.BadParameterException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A funnel: how many visits went through a sequence of steps, each a page view ({@code path}) or a custom event
 * ({@code event_name}) condition, in that order within one visit (other events may come between). Counted over
 * the events received in the range; a visit that reached step 3 counts at steps 1, 2 and 3.
 *
 * <p>One statement on both warehouses: the range's events that match any step, each with its place in its session
 * (time, then {@code session_seq} for events of the same microsecond), then for each step the earliest matching
 * event after the previous step's. Taking the earliest match at every step finds a visit's way through the funnel
 * whenever there is one: a later match at one step only leaves fewer candidates for the next.
 */
public final class Funnel {

    /** A funnel needs a second step to say anything; beyond eight it is more than a chart shows. */
    public static final int MIN_STEPS = 2;
    public static final int MAX_STEPS = 8;

    /** One step's reach: visits (sessions) and the distinct visitors they belong to. */
    public record Step(String label, long visits, long visitors) {
    }

    private final Warehouse warehouse;

    public Funnel(Warehouse warehouse) {
        this.warehouse = warehouse;
    }

    /**
     * The steps of the {@code steps} parameter: conditions in the filter syntax, joined by {@code ;}, each on
     * {@code path} or {@code event_name}.
     */
    public static List<Filter> steps(String text) throws BadParameterException {
        if (text == null || text.isBlank()) {
            throw new BadParameterException("steps", "is required: " + MIN_STEPS + " to " + MAX_STEPS
                    + " conditions joined by ';', e.g. path==/pricing;event_name==signup");
        }
        List<Filter> steps = Filters.parse("steps", text, MAX_STEPS, Set.of(Dimension.PATH, Dimension.EVENT_NAME));
        if (steps.size() < MIN_STEPS) {
            throw new BadParameterException("steps", "a funnel has " + MIN_STEPS + " to " + MAX_STEPS + " steps; got " + steps.size());
        }
        return steps;
    }

    /**
     * Refuses the filters that would take a funnel's steps apart: one on pages or events ({@code path},
     * {@code event_name}, {@code prop:<key>}) keeps only those events, so every other step would find nothing.
     * Filters on what a whole visit has (its source, place, device, entry or exit page) are fine.
     */
    public static void checkFilters(StatsRequest request) throws BadParameterException {
        for (Filter f : request.filters()) {
            Dimension.Kind kind = f.dimension().kind();
            if (kind == Dimension.Kind.PAGEVIEW || kind == Dimension.Kind.CUSTOM_EVENT || kind == Dimension.Kind.PROP) {
                throw new BadParameterException("filters", "a funnel's steps choose its pages and events; filter it by what "
                        + "a whole visit has (referrer, UTM, country, browser, entry page ...), not by " + label(f));
            }
        }
    }

    /**
     * The step as the API writes it back, in the syntax it was given in: {@code path==/pricing},
     * {@code event_name==signup|trial}, a {@code ;}, {@code |} or {@code \} in a value escaped.
     */
    static String label(Filter f) {
        String dimension = f.key() == null ? f.dimension().wireName() : Dimension.PROP_PREFIX + f.key();
        return dimension + f.operator().symbol() + f.values().stream()
                .map(v -> v.replace("\\", "\\\\").replace(";", "\\;").replace("|", "\\|"))
                .collect(Collectors.joining("|"));
    }

    public List<Step> run(StatsRequest request, List<Filter> steps) throws SQLException {
        Sql sql = statement(request, steps);
        long[][] counts = new long[steps.size()][2];
        try (Connection c = warehouse.keptReadConnection(); PreparedStatement ps = sql.prepare(c);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts[rs.getInt(1) - 1] = new long[] {rs.getLong(2), rs.getLong(3)};
            }
        }
        List<Step> out = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            out.add(new Step(label(steps.get(i)), counts[i][0], counts[i][1]));
        }
        return out;
    }

    private Sql statement(StatsRequest request, List<Filter> steps) {
        String table = warehouse.eventsTable();
        double from = request.range().fromSeconds();
        double to = request.range().toSeconds();
        // An event's place in its session: on DuckDB the time in µs and the session's own order in one number (half
        // the time of a numbering window over 10M events: BENCHMARKS.md); PostgreSQL, where numeric arithmetic
        // costs as much as the window, numbers the events.
        String place = warehouse.dialect().equals("duckdb")
                ? "CAST(epoch_us(received_at) AS HUGEINT) * 4294967296 + session_seq"
                : "row_number() OVER (PARTITION BY session_id ORDER BY received_at, session_seq)";
        Sql sql = new Sql().append("WITH matched AS (SELECT session_id, visitor_id, " + place + " AS n");
        for (int i = 0; i < steps.size(); i++) {
            sql.append(", ");
            match(sql, steps.get(i));
            sql.append(" AS m" + (i + 1));
        }
        sql.append(" FROM " + table + " WHERE session_id IS NOT NULL AND ");
        EventScope.append(sql, table, warehouse.dialect(), request, from, to);
        sql.append(" AND (");
        for (int i = 0; i < steps.size(); i++) {
            sql.append(i == 0 ? "" : " OR ");
            match(sql, steps.get(i));
        }
        sql.append("))");
        // Step k: per session, the first event matching it after the event that reached step k - 1.
        sql.append(", s1 AS (SELECT session_id, visitor_id, min(n) AS n FROM matched WHERE m1 GROUP BY session_id, visitor_id)");
        for (int k = 2; k <= steps.size(); k++) {
            sql.append(", s" + k + " AS (SELECT e.session_id, e.visitor_id, min(e.n) AS n FROM matched e JOIN s" + (k - 1)
                    + " p ON e.session_id = p.session_id AND e.n > p.n WHERE e.m" + k + " GROUP BY e.session_id, e.visitor_id)");
        }
        for (int k = 1; k <= steps.size(); k++) {
            sql.append((k == 1 ? " " : " UNION ALL ") + "SELECT " + k + ", count(*), count(DISTINCT visitor_id) FROM s" + k);
        }
        return sql;
    }

    /** Whether an event is the step's: a page view whose path, or a custom event whose name, meets the condition. */
    private static void match(Sql sql, Filter step) {
        sql.append(step.dimension() == Dimension.PATH ? "(type = 'pageview' AND " : "(type = 'event' AND ");
        EventScope.condition(sql, step.dimension().column(), step);
        sql.append(")");
    }
}
