package io.footfall.query.stats;

import io.footfall.core.warehouse.Warehouse;
import io.footfall.query.http.BadParameterException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The stats the API serves, as SQL both warehouses understand. Bots are excluded.
 *
 * <p>Definitions: pageviews = events of type pageview; events = events of type event; visitors = distinct
 * visitor ids; sessions = distinct session ids — all over events received in [from, to).
 */
public final class StatsQueries {

    private static final Pattern SITE = Pattern.compile("[a-z0-9._-]{1,64}");

    private final Warehouse warehouse;

    public StatsQueries(Warehouse warehouse) {
        this.warehouse = warehouse;
    }

    /** Counts for a site and range. */
    public record Summary(long pageviews, long events, long visitors, long sessions) {
    }

    public static String site(Map<String, String> params) throws BadParameterException {
        String site = params.get("site");
        if (site == null || site.isBlank()) {
            throw new BadParameterException("site", "is required");
        }
        if (!SITE.matcher(site).matches()) {
            throw new BadParameterException("site", "must match [a-z0-9._-]{1,64}");
        }
        return site;
    }

    public Summary summary(String site, TimeRange range) throws SQLException {
        String sql = "SELECT count(*) FILTER (WHERE type = 'pageview'), count(*) FILTER (WHERE type = 'event'), "
                + "count(DISTINCT visitor_id), count(DISTINCT session_id) FROM " + warehouse.eventsTable()
                + " WHERE site = ? AND received_at >= to_timestamp(?) AND received_at < to_timestamp(?) AND NOT is_bot";
        try (Connection c = warehouse.readConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, site);
            ps.setDouble(2, range.from().toEpochMilli() / 1000.0);
            ps.setDouble(3, range.to().toEpochMilli() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Summary(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
        }
    }

    /** True when the warehouse answers a trivial query. */
    public boolean reachable() {
        try (Connection c = warehouse.readConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }
}
