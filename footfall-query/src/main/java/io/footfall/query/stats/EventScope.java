package io.footfall.query.stats;

import io.footfall.core.warehouse.Warehouse;
import java.util.List;

/**
 * The WHERE clause every stats query shares: one site, the range, bots out unless asked for, and the
 * filters. Column names come from {@link Dimension}; values are bound parameters.
 */
final class EventScope {

    private EventScope() {
    }

    /** Appends {@code site = ? AND received_at >= ... AND ...} (no leading AND) for the given range. */
    static void append(Sql sql, String table, String dialect, StatsRequest request, double fromSeconds, double toSeconds) {
        rangeOnly(sql, request, fromSeconds, toSeconds);
        for (Filter f : request.filters()) {
            sql.append(" AND ");
            if (f.dimension().isSessionLevel()) {
                sql.append("session_id IN (SELECT session_id FROM ");
                edges(sql, f.dimension(), table, dialect, request, fromSeconds, toSeconds, false);
                sql.append(" edge WHERE ");
                condition(sql, "path", f);
                sql.append(")");
            } else if (f.dimension().kind() == Dimension.Kind.EVENT) {
                // A session attribute keeps whole sessions (docs/api.md): the session's value is its first
                // event's, which the rollup holds, so a session from Google keeps its later page views too (their
                // own referrer is the site itself). An event without a session is its own session.
                sql.append("(session_id IN (SELECT session_id FROM " + Warehouse.sessionsTableBeside(table) + " WHERE site = ? AND NOT sessionless"
                        + " AND first_at < to_timestamp(?) AND last_at >= to_timestamp(?) AND ", request.site(), toSeconds, fromSeconds);
                condition(sql, f.dimension().sessionColumn(), f);
                sql.append(") OR (session_id IS NULL AND ");
                condition(sql, f.dimension().column(), f);
                sql.append("))");
            } else if (f.dimension() == Dimension.PROP) {
                condition(sql, propValue(dialect, f.key()), f);
            } else {
                condition(sql, f.dimension().column(), f);
            }
        }
    }

    private static void rangeOnly(Sql sql, StatsRequest request, double fromSeconds, double toSeconds) {
        sql.append("site = ? AND received_at >= to_timestamp(?) AND received_at < to_timestamp(?)",
                request.site(), fromSeconds, toSeconds);
        if (!request.includeBots()) {
            sql.append(" AND NOT is_bot");
        }
    }

    /**
     * Appends a parenthesised subquery of (session_id, visitor_id, path): each session's entry page (its first
     * page view in the range) or exit page (its last); {@code session_seq} breaks ties within one millisecond.
     * DuckDB finds it with a hash aggregate ({@code arg_min}/{@code arg_max}, ~10x faster on 10M rows than a
     * sort); PostgreSQL, which has no arg_min, with {@code row_number()}.
     *
     * @param withFilters whether the request's filters choose the sessions (a top list: the sessions with a matching
     *                    event in the range, by their entry or exit among all their page views in the range, so that
     *                    under {@code path==/pricing} the visits that saw /pricing show where they came in and left) or
     *                    only the range does (the session filter itself)
     */
    static void edges(Sql sql, Dimension dimension, String table, String dialect, StatsRequest request,
                      double fromSeconds, double toSeconds, boolean withFilters) {
        boolean exit = dimension == Dimension.EXIT_PAGE;
        if (dialect.equals("duckdb")) {
            sql.append("(SELECT session_id, min(visitor_id) AS visitor_id, " + (exit ? "arg_max" : "arg_min")
                    + "(path, epoch_us(received_at) * 1000 + session_seq) AS path FROM " + table
                    + " WHERE type = 'pageview' AND session_id IS NOT NULL AND ");
            scope(sql, table, dialect, request, fromSeconds, toSeconds, withFilters);
            sql.append(" GROUP BY session_id)");
        } else {
            String order = exit ? "DESC" : "ASC";
            sql.append("(SELECT session_id, visitor_id, path FROM (SELECT session_id, visitor_id, path, row_number() OVER "
                    + "(PARTITION BY session_id ORDER BY received_at " + order + ", session_seq " + order + ") AS rn FROM "
                    + table + " WHERE type = 'pageview' AND session_id IS NOT NULL AND ");
            scope(sql, table, dialect, request, fromSeconds, toSeconds, withFilters);
            sql.append(") numbered WHERE rn = 1)");
        }
    }

    private static void scope(Sql sql, String table, String dialect, StatsRequest request, double fromSeconds,
                              double toSeconds, boolean withFilters) {
        rangeOnly(sql, request, fromSeconds, toSeconds);
        if (withFilters && !request.filters().isEmpty()) {
            sql.append(" AND session_id IN (SELECT session_id FROM " + table + " WHERE ");
            append(sql, table, dialect, request, fromSeconds, toSeconds);
            sql.append(")");
        }
    }

    /**
     * A column, or an expression over one with its own bound parameters (a custom property's value), that a
     * condition may name several times.
     */
    record Column(String sql, Object... params) {
        void appendTo(Sql statement) {
            statement.append(sql, params);
        }
    }

    /**
     * The text of one custom property of an event, SQL NULL when the event has none (or a JSON null): strings as
     * they are, numbers and booleans as the warehouse prints them. DuckDB takes the key as a JSON pointer, in which
     * any key can be written ({@code ~} and {@code /} escaped), so a key that starts with {@code $} or {@code /}
     * is read as a key, not as a path.
     */
    static Column propValue(String dialect, String key) {
        return dialect.equals("duckdb")
                ? new Column("json_extract_string(props, CAST(? AS VARCHAR))", "/" + key.replace("~", "~0").replace("/", "~1"))
                : new Column("(props ->> CAST(? AS text))", key);
    }

    /** A condition on one column; NULL counts as the value {@code (none)}. */
    static void condition(Sql sql, String column, Filter f) {
        condition(sql, new Column(column), f);
    }

    /** A condition on a column or expression; NULL counts as the value {@code (none)}. */
    static void condition(Sql sql, Column column, Filter f) {
        List<String> values = f.values();
        boolean none = values.contains(Filter.NONE);
        List<String> real = values.stream().filter(v -> !v.equals(Filter.NONE)).toList();
        switch (f.operator()) {
            case IS -> {
                sql.append("(");
                String sep = "";
                if (!real.isEmpty()) {
                    in(sql, column, real);
                    sep = " OR ";
                }
                if (none) {
                    sql.append(sep);
                    column.appendTo(sql);
                    sql.append(" IS NULL");
                }
                sql.append(")");
            }
            case IS_NOT -> {
                sql.append("(");
                column.appendTo(sql);
                sql.append(none ? " IS NOT NULL" : " IS NULL");
                if (!real.isEmpty()) {
                    sql.append(none ? " AND NOT " : " OR NOT ");
                    in(sql, column, real);
                }
                sql.append(")");
            }
            case CONTAINS -> {
                sql.append("(");
                for (int i = 0; i < values.size(); i++) {
                    sql.append(i == 0 ? "strpos(lower(" : " OR strpos(lower(");
                    column.appendTo(sql);
                    sql.append("), lower(?)) > 0", values.get(i));
                }
                sql.append(")");
            }
            case NOT_CONTAINS -> {
                sql.append("(");
                column.appendTo(sql);
                sql.append(" IS NULL OR (");
                for (int i = 0; i < values.size(); i++) {
                    sql.append(i == 0 ? "strpos(lower(" : " AND strpos(lower(");
                    column.appendTo(sql);
                    sql.append("), lower(?)) = 0", values.get(i));
                }
                sql.append("))");
            }
        }
    }

    private static void in(Sql sql, Column column, List<String> values) {
        column.appendTo(sql);
        sql.append(" IN (");
        for (int i = 0; i < values.size(); i++) {
            sql.append(i == 0 ? "?" : ", ?", values.get(i));
        }
        sql.append(")");
    }
}
