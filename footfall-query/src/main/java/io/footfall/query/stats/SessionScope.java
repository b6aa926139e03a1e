package io.footfall.query.stats;

/**
 * The WHERE clause of the stats served from the sessions rollup: the sessions of one site that started in
 * the range, bots out unless asked for, and the filters, each on the session's own column (its entry or exit
 * page, or its first event's value). Only requests whose filters all have such a column are served here.
 */
final class SessionScope {

    private SessionScope() {
    }

    /** Whether the rollup can answer: every filter is on a dimension a session row holds. */
    static boolean serves(StatsRequest request) {
        return request.filters().stream().allMatch(f -> f.dimension().sessionColumn() != null);
    }

    /** Appends {@code site = ? AND first_at >= ... AND ...} (no leading AND). */
    static void append(Sql sql, StatsRequest request, double fromSeconds, double toSeconds) {
        sql.append("site = ? AND first_at >= to_timestamp(?) AND first_at < to_timestamp(?)",
                request.site(), fromSeconds, toSeconds);
        if (!request.includeBots()) {
            sql.append(" AND NOT is_bot");
        }
        for (Filter f : request.filters()) {
            sql.append(" AND ");
            EventScope.condition(sql, f.dimension().sessionColumn(), f);
        }
    }
}
