package io.footfall.loader.schema;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The differences between the warehouses' SQL, kept in one place so migrations and writers share one text.
 */
public enum Dialect {
    DUCKDB("VARCHAR", "JSON"),
    POSTGRES("TEXT", "JSONB");

    private final String text;
    private final String json;

    Dialect(String text, String json) {
        this.text = text;
        this.json = json;
    }

    /**
     * Replaces the placeholders {@code ${text}}, {@code ${json}}, {@code ${sessions_storage}} and {@code
     * ${sessions_marks}} in a migration.
     */
    public String render(String sql) {
        return sql.replace("${text}", text).replace("${json}", json)
                .replace("${sessions_storage}", this == POSTGRES ? " WITH (fillfactor = 80)" : "")
                .replace("${sessions_marks}", this == DUCKDB
                        ? "    " + SessionRollup.CHANGED_BY + " BIGINT,\n    " + SessionRollup.START_HOUR_BEFORE + " BIGINT,\n" : "");
    }

    /** Moves the staged rows into {@code table}, skipping event ids it holds already. */
    public String insertNewRows(String table, String stage) {
        return this == DUCKDB
                ? "INSERT OR IGNORE INTO " + table + " SELECT * FROM " + stage
                : "INSERT INTO " + table + " SELECT * FROM " + stage + " ON CONFLICT (event_id) DO NOTHING";
    }

    /**
     * A BIGINT that orders a session's events: {@code epoch µs × 1000 + seq}, so that events within one
     * microsecond keep their session order.
     */
    public String orderKey(String timestamp, String seq) {
        return "(" + epochMicros(timestamp) + " * 1000 + coalesce(" + seq + ", 0))";
    }

    /** A timestamp's epoch microseconds, as a BIGINT. */
    public String epochMicros(String timestamp) {
        return this == DUCKDB ? "epoch_us(" + timestamp + ")"
                : "CAST(floor(extract(epoch FROM " + timestamp + ") * 1000000) AS BIGINT)";
    }

    /** A TIMESTAMPTZ from epoch milliseconds, exactly (no floating point). */
    public String fromEpochMillis(String millis) {
        return this == DUCKDB ? "make_timestamptz(" + millis + " * 1000)"
                : "(TIMESTAMPTZ 'epoch' + " + millis + " * INTERVAL '1 millisecond')";
    }

    /**
     * A BIGINT key for a visitor id, from its MD5 (NULL for NULL): what the stats count distinct values of. Keep
     * {@link #visitorKeyOf} the same.
     */
    public String visitorKey(String id) {
        return this == DUCKDB ? "CAST(md5_number_lower(" + id + ") >> 1 AS BIGINT)"
                : "CAST(('x' || substr(md5(" + id + "), 1, 16))::bit(64) AS BIGINT)";
    }

    /**
     * {@link #visitorKey}'s value for {@code id}, worked out in Java, for rows the writers append without SQL. DuckDB:
     * the MD5 digest's bytes 8–15 as a little-endian unsigned number ({@code md5_number_lower}), shifted right by
     * one. PostgreSQL: its first 8 bytes as a big-endian signed number (the hex digits' first 16 as
     * {@code bit(64)}). {@code SessionRollupIT} checks both against the databases' own.
     */
    public long visitorKeyOf(String id) {
        byte[] digest = MD5.get().digest(id.getBytes(StandardCharsets.UTF_8));
        return this == DUCKDB ? ((long) LITTLE_ENDIAN.get(digest, 8)) >>> 1 : (long) BIG_ENDIAN.get(digest, 0);
    }

    private static final VarHandle LITTLE_ENDIAN = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BIG_ENDIAN = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java runtime", e);
        }
    });

    /** An aggregate: {@code value} of the row with the smallest {@code key} (NULL values kept), among rows matching {@code filter} (null: all). */
    public String firstBy(String value, String key, String filter) {
        return pick(value, key, filter, "arg_min_null", "ASC");
    }

    /** An aggregate: {@code value} of the row with the largest {@code key}, among rows matching {@code filter} (null: all). */
    public String lastBy(String value, String key, String filter) {
        return pick(value, key, filter, "arg_max_null", "DESC");
    }

    private String pick(String value, String key, String filter, String duckFunction, String order) {
        String where = filter == null ? "" : " FILTER (WHERE " + filter + ")";
        return this == DUCKDB
                ? duckFunction + "(" + value + ", " + key + ")" + where
                : "(array_agg(" + value + " ORDER BY " + key + " " + order + ")" + where + ")[1]";
    }

    public String wireName() {
        return this == DUCKDB ? "duckdb" : "postgres";
    }
}
