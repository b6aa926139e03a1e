package io.footfall.query.sql;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Blob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Struct;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.duckdb.DuckDBStruct;

/**
 * A result value as the SQL API shows it, the same on both warehouses and whatever the server's time zone: numbers and
 * booleans as themselves; a timestamp with time zone as an ISO 8601 instant in UTC ({@code 2026-11-10T10:00:00.5Z});
 * one without as its ISO 8601 local form ({@code 2026-11-10T10:00:00.5}); binary data as {@code \x} and lowercase hex
 * (PostgreSQL's own form); lists and arrays as lists, structs and maps as maps of their fields (JSON arrays and
 * objects in the answer); everything else (dates, times, intervals, JSON, XML, UUIDs, PostgreSQL's records, ranges and
 * addresses) as the database's own text for it.
 *
 * <p>The result is one of: null, {@link Boolean}, {@link Long}, {@link BigInteger}, {@link BigDecimal},
 * {@link Double}, {@link String}, {@code List<Object>} or {@code Map<String, Object>} of these.
 */
final class SqlValues {

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ISO_LOCAL_DATE_TIME;
    private static final HexFormat HEX = HexFormat.of();

    private SqlValues() {
    }

    /**
     * Column {@code i} of the current row.
     *
     * @param typeName the column's type as the driver names it (PostgreSQL: {@code timestamptz}, {@code _int4}, ...)
     */
    static Object read(ResultSet rs, int i, String typeName, boolean postgres) throws SQLException {
        if (postgres) {
            return postgres(rs, i, typeName);
        }
        String type = typeName.toUpperCase(Locale.ROOT);
        if (type.matches("TIMESTAMP(_S|_MS|_NS)?")) {
            // Not through a Timestamp, which the driver makes in the JVM's zone (a wall time in its DST gap moves)
            LocalDateTime t = rs.getObject(i, LocalDateTime.class);
            return t == null ? null : local(t);
        }
        Object v = rs.getObject(i);
        if (v == null) {
            return null;
        }
        // DuckDB's driver gives a TIMESTAMPTZ as an OffsetDateTime, a TIMESTAMP inside a list as a Timestamp
        Object simple = element(v);
        return simple != null ? simple : rs.getString(i);
    }

    private static Object postgres(ResultSet rs, int i, String typeName) throws SQLException {
        String type = typeName.toLowerCase(Locale.ROOT);
        if (type.startsWith("timestamp")) {
            String text = rs.getString(i);
            if (text == null || text.endsWith("infinity") || text.endsWith(" BC")) {
                return text; // as PostgreSQL writes them: ISO 8601 has no infinity, and java.time no BC
            }
            return type.equals("timestamptz") ? instant(rs.getObject(i, OffsetDateTime.class))
                    : local(rs.getObject(i, LocalDateTime.class));
        }
        if (type.startsWith("_")) {
            Array a = rs.getArray(i);
            if (a == null) {
                return null;
            }
            try {
                return postgresArray(a);
            } catch (SQLException e) {
                return rs.getString(i); // an element the driver cannot read as a value: the array as PostgreSQL writes it
            }
        }
        Object v = rs.getObject(i);
        if (v == null) {
            return null;
        }
        if (v instanceof Boolean || v instanceof Number) {
            return element(v);
        }
        // the server's text: bytea as \x and hex, dates, times with their offsets, intervals, json, xml, uuid, ...
        return rs.getString(i);
    }

    /**
     * A PostgreSQL array, each element read as a column of its base type would be (so a timestamptz[] holds UTC
     * instants and a numeric[]'s NaN its text), nested arrays as lists.
     */
    private static List<Object> postgresArray(Array a) throws SQLException {
        String base = a.getBaseTypeName();
        List<Object> out = new ArrayList<>();
        try (ResultSet rows = a.getResultSet()) {
            while (rows.next()) {
                Object v;
                try {
                    v = rows.getObject(2) instanceof Array sub ? postgresArray(sub) : postgres(rows, 2, base);
                } catch (SQLException e) {
                    v = rows.getString(2); // NaN of a numeric, a money amount, a bit string: the element's text
                }
                out.add(v);
            }
        }
        return out;
    }

    /** A value inside a list or struct, or a whole DuckDB value; null when it has no form here but the driver's text. */
    private static Object element(Object v) throws SQLException {
        if (v instanceof Boolean || v instanceof String || v instanceof Long || v instanceof BigInteger
                || v instanceof BigDecimal) {
            return v;
        } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        } else if (v instanceof Double || v instanceof Float) {
            return ((Number) v).doubleValue();
        } else if (v instanceof byte[] bytes) {
            return "\\x" + HEX.formatHex(bytes);
        } else if (v instanceof Blob blob) {
            return "\\x" + HEX.formatHex(blob.getBytes(1, Math.toIntExact(blob.length())));
        } else if (v instanceof OffsetDateTime t) {
            return instant(t);
        } else if (v instanceof Timestamp t) {
            return local(t.toLocalDateTime());
        } else if (v instanceof LocalDateTime t) {
            return local(t);
        } else if (v instanceof LocalTime t) {
            return DateTimeFormatter.ISO_LOCAL_TIME.format(t);
        } else if (v instanceof OffsetTime t) {
            return DateTimeFormatter.ISO_OFFSET_TIME.format(t);
        } else if (v instanceof LocalDate d) {
            return infinite(d.getYear()) != null ? infinite(d.getYear()) : d.toString();
        } else if (v instanceof java.sql.Date || v instanceof java.util.UUID) {
            return v.toString();
        } else if (v instanceof SQLXML xml) {
            return xml.getString();
        } else if (v instanceof Array a) {
            return array((Object[]) a.getArray());
        } else if (v instanceof DuckDBStruct s) {
            return map(s.getMap());
        } else if (v instanceof Struct s) {
            return array(s.getAttributes());
        } else if (v instanceof Map<?, ?> m) {
            return map(m);
        }
        return null;
    }

    private static List<Object> array(Object[] values) throws SQLException {
        List<Object> out = new ArrayList<>(values.length);
        for (Object e : values) {
            out.add(nested(e));
        }
        return out;
    }

    private static Map<String, Object> map(Map<?, ?> values) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : values.entrySet()) {
            Object key = nested(e.getKey());
            out.put(key instanceof String s ? s : String.valueOf(key), nested(e.getValue()));
        }
        return out;
    }

    private static Object nested(Object v) throws SQLException {
        if (v == null) {
            return null;
        }
        if (v instanceof Object[] values) {
            return array(values);
        }
        Object simple = element(v);
        return simple != null ? simple : v.toString();
    }

    private static String instant(OffsetDateTime t) {
        LocalDateTime utc = t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        String infinite = infinite(utc.getYear());
        return infinite != null ? infinite : LOCAL.format(utc) + "Z";
    }

    private static String local(LocalDateTime t) {
        String infinite = infinite(t.getYear());
        return infinite != null ? infinite : LOCAL.format(t);
    }

    /**
     * DuckDB's driver gives {@code infinity} and {@code -infinity} as the farthest value of the type (year 294247 or
     * 5881580, and their negatives), which no real datum reaches: said as PostgreSQL says them.
     */
    private static String infinite(int year) {
        return year > 200_000 ? "infinity" : year < -200_000 ? "-infinity" : null;
    }
}
