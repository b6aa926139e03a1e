package io.footfall.query.stats;

import java.util.List;

/**
 * The WHERE clause every stats query shares: one site, the range, bots out unless asked for, and the
 * filters. Column names come from {@link Dimension}; values are bound parameters.
 */
final class EventScope {

    private EventScope() {
    }

    /** Appends {@code site = ? AND received_at >= ... AND ...} (no leading AND) for the given range. */
    static void append(Sql sql, String table, StatsRequest request, double fromSeconds, double toSeconds) {
        rangeOnly(sql, request, fromSeconds, toSeconds);
        for (Filter f : request.filters()) {
            sql.append(" AND ");
            if (f.dimension().isSessionLevel()) {
                sessionCondition(sql, table, request, fromSeconds, toSeconds, f);
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

    /** Rows of sessions whose entry (or exit) page in the range matches. */
    private static void sessionCondition(Sql sql, String table, StatsRequest request, double fromSeconds,
                                         double toSeconds, Filter f) {
        sql.append("session_id IN (SELECT session_id FROM (").append(edgePages(f.dimension(), table));
        rangeOnly(sql, request, fromSeconds, toSeconds);
        sql.append(") edge WHERE rn = 1 AND ");
        condition(sql, "path", f);
        sql.append(")");
    }

    /**
     * A SELECT (open WHERE clause follows) numbering each session's page views so that {@code rn = 1} is its
     * entry page (first) or exit page (last). {@code session_seq} breaks ties within one millisecond.
     */
    static String edgePages(Dimension dimension, String table) {
        String order = dimension == Dimension.EXIT_PAGE ? "DESC" : "ASC";
        return "SELECT session_id, visitor_id, path, row_number() OVER (PARTITION BY session_id ORDER BY received_at "
                + order + ", session_seq " + order + ") AS rn FROM " + table
                + " WHERE type = 'pageview' AND session_id IS NOT NULL AND ";
    }

    /** A condition on one column; NULL counts as the value {@code (none)}. */
    static void condition(Sql sql, String column, Filter f) {
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
                    sql.append(sep).append(column).append(" IS NULL");
                }
                sql.append(")");
            }
            case IS_NOT -> {
                sql.append("(").append(column).append(none ? " IS NOT NULL" : " IS NULL");
                if (!real.isEmpty()) {
                    sql.append(none ? " AND NOT " : " OR NOT ");
                    in(sql, column, real);
                }
                sql.append(")");
            }
            case CONTAINS -> {
                sql.append("(");
                for (int i = 0; i < values.size(); i++) {
                    sql.append(i == 0 ? "" : " OR ").append("strpos(lower(" + column + "), lower(?)) > 0", values.get(i));
                }
                sql.append(")");
            }
            case NOT_CONTAINS -> {
                sql.append("(").append(column).append(" IS NULL OR (");
                for (int i = 0; i < values.size(); i++) {
                    sql.append(i == 0 ? "" : " AND ").append("strpos(lower(" + column + "), lower(?)) = 0", values.get(i));
                }
                sql.append("))");
            }
        }
    }

    private static void in(Sql sql, String column, List<String> values) {
        sql.append(column).append(" IN (");
        for (int i = 0; i < values.size(); i++) {
            sql.append(i == 0 ? "?" : ", ?", values.get(i));
        }
        sql.append(")");
    }
}
