package io.footfall.loader.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The {@value #TABLE} rollup: one row per session, which the stats API reads instead of grouping millions
 * of events. The loader folds every batch's newly inserted rows into it in the batch's own transaction, so
 * it is exactly as current as the events table and a redelivered batch (whose rows are skipped) adds
 * nothing; {@code promote} and the migration that introduced it rebuild it from the events table.
 *
 * <p>A row holds the session's visitor (its id, and a 63/64-bit key derived from it by MD5: distinct counts
 * over the key are several times cheaper than over the text, and two of 10^7 visitors collide with a
 * probability near 10^-5), whether any of its events came from a bot, its first and last event
 * times, its page view and custom event counts, its entry and exit pages (first and last page view, ties
 * within a millisecond broken by {@code session_seq}) and the attributes of its first event (source, UTM,
 * geo, client). An event without a session (sessions disabled in the enricher) is a row of its own, with
 * {@code sessionless} set: it counts towards visitors, page views and events, but not as a session.
 *
 * <p>Merging a batch into an existing row: counts add up, times widen, and each "first" or "last" value is
 * taken from whichever side has the earlier or later ordering key ({@code epoch µs × 1000 + session_seq}).
 */
public final class SessionRollup {

    public static final String TABLE = "footfall_sessions";

    /** The columns taken from a session's first event as migration 3 made them, in table order. */
    private static final List<String> FIRST_EVENT_COLUMNS_V3 = List.of("referrer_host", "referrer_type", "utm_source",
            "utm_medium", "utm_campaign", "country", "region", "city", "browser", "os", "device_type", "screen",
            "language");

    /**
     * First-event columns added to the table since migration 3, in the order added (migration 8:
     * {@code referrer_source}). {@code ALTER TABLE} puts them after DuckDB's two {@link #CHANGED_BY marks}, so a
     * rebuilt table puts them there too: the DuckDB Appender writes a row in table order.
     */
    private static final List<String> ADDED_FIRST_EVENT_COLUMNS = List.of("referrer_source");

    /** The columns taken from a session's first event: those of migration 3, then those added since. */
    public static final List<String> FIRST_EVENT_COLUMNS = concat(FIRST_EVENT_COLUMNS_V3, ADDED_FIRST_EVENT_COLUMNS);

    /**
     * DuckDB only: the write that last changed a row (a number that goes up with every batch) and the hour the
     * row's session started in before that change (null when the change created the row), from which the
     * loader raises the {@link HourVersions session-hour versions} of exactly the sessions a batch changed.
     * They ride on the upsert's own primary-key lookups: reading a stored start hour per session before the
     * upsert would be a join over the whole rollup in every batch.
     */
    public static final String CHANGED_BY = "changed_by";
    public static final String START_HOUR_BEFORE = "start_hour_before";

    private static final List<String> SESSION_COLUMNS = List.of("site", "session_id", "sessionless", "visitor_id", "visitor_key",
            "is_bot", "first_at", "last_at", "first_key", "pageviews", "events", "entry_path", "entry_key", "exit_path",
            "exit_key");

    private static final List<String> COLUMNS = concat(SESSION_COLUMNS, FIRST_EVENT_COLUMNS);

    private SessionRollup() {
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /** The rollup's columns of every dialect, in PostgreSQL's table order (DuckDB's: {@link #duckDbColumns()}). */
    public static List<String> columns() {
        return COLUMNS;
    }

    /**
     * The rollup's columns in DuckDB, in table order: {@link #columns()} with {@link #CHANGED_BY} and {@link
     * #START_HOUR_BEFORE} at {@link #duckDbMarksAt()}, before the first-event columns added since migration 3.
     */
    public static List<String> duckDbColumns() {
        List<String> columns = new java.util.ArrayList<>(COLUMNS);
        columns.addAll(duckDbMarksAt(), List.of(CHANGED_BY, START_HOUR_BEFORE));
        return columns;
    }

    /** Where DuckDB's two marks stand among {@link #columns()}. */
    public static int duckDbMarksAt() {
        return COLUMNS.size() - ADDED_FIRST_EVENT_COLUMNS.size();
    }

    /** The table as it is now: what {@code promote} rebuilds. */
    static String createTableSql() {
        return createTableSql(true);
    }

    /** The table as migration 3 made it (before any first-event column was added): that migration's text, never changed. */
    static String createTableSqlOfMigration3() {
        return createTableSql(false);
    }

    /** Fills the rollup of migration 3 from {@code events} (no column added since migration 3). */
    static String insertFromOfMigration3(Dialect dialect) {
        return "INSERT INTO " + TABLE + " (" + String.join(", ", concat(SESSION_COLUMNS, FIRST_EVENT_COLUMNS_V3)) + ") "
                + aggregate(dialect, "events", "", FIRST_EVENT_COLUMNS_V3);
    }

    /** Migration 8's {@code ALTER TABLE} of the rollup, which adds {@code referrer_source}. */
    static String addReferrerSourceSql() {
        return "ALTER TABLE " + TABLE + " ADD COLUMN IF NOT EXISTS referrer_source ${text}";
    }

    private static String createTableSql(boolean withAdded) {
        StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS " + TABLE + " (\n"
                + "    site ${text} NOT NULL,\n"
                + "    session_id ${text} NOT NULL,\n"
                + "    sessionless BOOLEAN NOT NULL,\n"
                + "    visitor_id ${text},\n"
                + "    visitor_key BIGINT,\n"
                + "    is_bot BOOLEAN NOT NULL,\n"
                + "    first_at TIMESTAMPTZ NOT NULL,\n"
                + "    last_at TIMESTAMPTZ NOT NULL,\n"
                + "    first_key BIGINT NOT NULL,\n"
                + "    pageviews BIGINT NOT NULL,\n"
                + "    events BIGINT NOT NULL,\n"
                + "    entry_path ${text},\n"
                + "    entry_key BIGINT,\n"
                + "    exit_path ${text},\n"
                + "    exit_key BIGINT,\n");
        for (String column : FIRST_EVENT_COLUMNS_V3) {
            sql.append("    ").append(column).append(" ${text},\n");
        }
        sql.append("${sessions_marks}");
        for (String column : withAdded ? ADDED_FIRST_EVENT_COLUMNS : List.<String>of()) {
            sql.append("    ").append(column).append(" ${text},\n");
        }
        // No other index: every batch writes here, and a 30-day range reads most rows anyway. PostgreSQL
        // leaves room in each page so that a session's update can stay on its page (a HOT update).
        return sql.append("    PRIMARY KEY (site, session_id)\n)${sessions_storage}").toString();
    }

    /**
     * Rebuilds the rollup from {@code events} (inside the caller's transaction): drop, create, fill; on DuckDB
     * also raises every hour's {@link HourVersions version}. Used when the live table is replaced as a whole
     * ({@code promote}) and by tools that write events directly.
     */
    public static List<String> rebuildStatements(Dialect dialect) {
        List<String> statements = new java.util.ArrayList<>(List.of("DROP TABLE IF EXISTS " + TABLE,
                dialect.render(createTableSql()), insertFrom(dialect, "events")));
        if (dialect == Dialect.DUCKDB) {
            statements.addAll(HourVersions.rebuildStatements());
        }
        return statements;
    }

    /** Runs {@link #rebuildStatements} on {@code c}, in the caller's transaction. */
    public static void rebuild(Connection c, Dialect dialect) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : rebuildStatements(dialect)) {
                st.execute(sql);
            }
        }
    }

    /**
     * Rebuilds one site's rows from its events, in the caller's transaction (after some of them were deleted): the
     * other sites' rows and the table itself are not touched, so readers and loaders of other sites go on. On DuckDB
     * the site's hour versions follow ({@link HourVersions#afterSiteDeletion}).
     */
    public static void rebuildSite(Connection c, Dialect dialect, String site) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + TABLE + " WHERE site = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO " + TABLE + " (" + String.join(", ", COLUMNS) + ") "
                     + aggregate(dialect, "events WHERE site = ?", "", FIRST_EVENT_COLUMNS))) {
            delete.setString(1, site);
            delete.executeUpdate();
            insert.setString(1, site);
            insert.executeUpdate();
        }
        if (dialect == Dialect.DUCKDB) {
            HourVersions.afterSiteDeletion(c, site);
        }
    }

    /**
     * {@code INSERT INTO footfall_sessions SELECT <one row per session> FROM source}, without conflict handling:
     * for an empty table (rebuild, migration).
     */
    public static String insertFrom(Dialect dialect, String source) {
        return "INSERT INTO " + TABLE + " (" + String.join(", ", COLUMNS) + ") " + aggregate(dialect, source, "", FIRST_EVENT_COLUMNS);
    }

    /**
     * As {@link #insertFrom}, merging into the rows of sessions already in the table; {@code write} numbers the
     * change on DuckDB ({@link #CHANGED_BY}; above every earlier write's), unused on PostgreSQL.
     */
    public static String upsertFrom(Dialect dialect, String source, long write) {
        if (dialect != Dialect.DUCKDB) {
            return insertFrom(dialect, source) + onConflictMerge(dialect);
        }
        return "INSERT INTO " + TABLE + " (" + String.join(", ", COLUMNS) + ", " + CHANGED_BY + ") "
                + aggregate(dialect, source, ", " + write, FIRST_EVENT_COLUMNS) + onConflictMerge(dialect);
    }

    /**
     * Upserts rows folded elsewhere (in Java, one per session): {@code parts} is a relation with the table's
     * columns except {@code visitor_key}, times as epoch milliseconds {@code first_ms} and {@code last_ms};
     * {@code write} as in {@link #upsertFrom}. (The writers append the parts that open their session straight
     * into the table instead, with every column worked out in Java.)
     */
    public static String upsertParts(Dialect dialect, String parts, long write) {
        return insertParts(dialect, parts, write) + onConflictMerge(dialect);
    }

    private static String insertParts(Dialect dialect, String parts, long write) {
        boolean marks = dialect == Dialect.DUCKDB;
        StringBuilder sql = new StringBuilder("INSERT INTO " + TABLE + " (" + String.join(", ", COLUMNS)
                + (marks ? ", " + CHANGED_BY : "") + ") SELECT site, session_id, sessionless, visitor_id, ")
                .append(dialect.visitorKey("visitor_id")).append(", is_bot, ").append(dialect.fromEpochMillis("first_ms"))
                .append(", ").append(dialect.fromEpochMillis("last_ms"))
                .append(", first_key, pageviews, events, entry_path, entry_key, exit_path, exit_key");
        for (String column : FIRST_EVENT_COLUMNS) {
            sql.append(", ").append(column);
        }
        if (marks) {
            sql.append(", ").append(write);
        }
        return sql.append(" FROM ").append(parts).toString();
    }

    /** The columns of {@link #upsertParts}' relation, in order, each as "name type" ({@code ${text}} for text). */
    public static List<String> partColumns() {
        List<String> columns = new java.util.ArrayList<>(List.of("site ${text}", "session_id ${text}", "sessionless BOOLEAN",
                "visitor_id ${text}", "is_bot BOOLEAN", "first_ms BIGINT", "last_ms BIGINT", "first_key BIGINT",
                "pageviews BIGINT", "events BIGINT", "entry_path ${text}", "entry_key BIGINT", "exit_path ${text}",
                "exit_key BIGINT"));
        for (String column : FIRST_EVENT_COLUMNS) {
            columns.add(column + " ${text}");
        }
        return columns;
    }

    private static String onConflictMerge(Dialect dialect) {
        StringBuilder sql = new StringBuilder()
                .append(" ON CONFLICT (site, session_id) DO UPDATE SET ");
        if (dialect == Dialect.DUCKDB) {
            // First, from the stored row: the start hour before this change.
            sql.append(START_HOUR_BEFORE).append(" = epoch_us(").append(TABLE).append(".first_at)").append(HourVersions.HOUR_OF).append(", ")
                    .append(CHANGED_BY).append(" = excluded.").append(CHANGED_BY).append(", ");
        }
        sql
                .append("is_bot = ").append(TABLE).append(".is_bot OR excluded.is_bot, ")
                .append("first_at = ").append(earlier("first_at", "first_key")).append(", ")
                .append("last_at = CASE WHEN excluded.last_at > ").append(TABLE).append(".last_at THEN excluded.last_at ELSE ")
                .append(TABLE).append(".last_at END, ")
                .append("pageviews = ").append(TABLE).append(".pageviews + excluded.pageviews, ")
                .append("events = ").append(TABLE).append(".events + excluded.events, ")
                .append("entry_path = ").append(earlier("entry_path", "entry_key")).append(", ")
                .append("entry_key = ").append(earlier("entry_key", "entry_key")).append(", ")
                .append("exit_path = ").append(later("exit_path", "exit_key")).append(", ")
                .append("exit_key = ").append(later("exit_key", "exit_key"));
        for (String column : FIRST_EVENT_COLUMNS) {
            sql.append(", ").append(column).append(" = ").append(earlier(column, "first_key"));
        }
        // Last, so that every CASE above still compares against the stored first_key.
        sql.append(", first_key = ").append(earlier("first_key", "first_key"));
        return sql.toString();
    }

    /** The value of {@code column} from the side whose {@code key} is smaller; a missing key loses. */
    private static String earlier(String column, String key) {
        return "CASE WHEN " + TABLE + "." + key + " IS NULL OR excluded." + key + " < " + TABLE + "." + key
                + " THEN excluded." + column + " ELSE " + TABLE + "." + column + " END";
    }

    private static String later(String column, String key) {
        return "CASE WHEN " + TABLE + "." + key + " IS NULL OR excluded." + key + " > " + TABLE + "." + key
                + " THEN excluded." + column + " ELSE " + TABLE + "." + column + " END";
    }

    /**
     * One row per session of {@code source}, in {@link #COLUMNS} order (with {@code firstEventColumns} as the
     * first-event columns), then {@code extra} (", expression" or "").
     */
    private static String aggregate(Dialect dialect, String source, String extra, List<String> firstEventColumns) {
        String key = dialect.orderKey("received_at", "session_seq");
        StringBuilder sql = new StringBuilder("SELECT site, coalesce(session_id, 'event:' || CAST(event_id AS ")
                .append(dialect.render("${text}")).append(")), ")
                .append("session_id IS NULL, min(visitor_id), ").append(dialect.visitorKey("min(visitor_id)"))
                .append(", bool_or(is_bot), min(received_at), max(received_at), ")
                .append("min(k), count(*) FILTER (WHERE type = 'pageview'), count(*) FILTER (WHERE type = 'event'), ")
                .append(dialect.firstBy("path", "k", "type = 'pageview'")).append(", ")
                .append("min(k) FILTER (WHERE type = 'pageview'), ")
                .append(dialect.lastBy("path", "k", "type = 'pageview'")).append(", ")
                .append("max(k) FILTER (WHERE type = 'pageview')");
        for (String column : firstEventColumns) {
            sql.append(", ").append(dialect.firstBy(column, "k", null));
        }
        return sql.append(extra).append(" FROM (SELECT *, ").append(key).append(" AS k FROM ").append(source)
                .append(") keyed GROUP BY site, coalesce(session_id, 'event:' || CAST(event_id AS ")
                .append(dialect.render("${text}")).append(")), session_id IS NULL").toString();
    }
}
