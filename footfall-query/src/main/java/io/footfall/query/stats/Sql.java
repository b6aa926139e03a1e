package io.footfall.query.stats;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement under construction: fixed SQL text from this package plus the request's values as bound
 * parameters, in order. Request text never becomes SQL text.
 */
final class Sql {

    private final StringBuilder text = new StringBuilder(256);
    private final List<Object> params = new ArrayList<>();

    Sql append(String sql) {
        text.append(sql);
        return this;
    }

    /** Appends SQL containing one {@code ?} per given value, and binds the values. */
    Sql append(String sql, Object... values) {
        text.append(sql);
        params.addAll(List.of(values));
        return this;
    }

    String text() {
        return text.toString();
    }

    PreparedStatement prepare(Connection c) throws SQLException {
        PreparedStatement ps = c.prepareStatement(text.toString());
        try {
            for (int i = 0; i < params.size(); i++) {
                Object p = params.get(i);
                if (p instanceof String s) {
                    ps.setString(i + 1, s);
                } else if (p instanceof Double d) {
                    ps.setDouble(i + 1, d);
                } else if (p instanceof Long l) {
                    ps.setLong(i + 1, l);
                } else if (p instanceof Integer n) {
                    ps.setInt(i + 1, n);
                } else {
                    throw new IllegalArgumentException("unsupported parameter type " + p.getClass());
                }
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }
}
