package io.footfall.query.stats;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import io.footfall.query.http.BadParameterException;
import io.footfall.query.http.Exchanges;
import java.io.IOException;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code /api/stats/*} endpoints: parameters in, {@link StatsQueries} results out as JSON. */
public final class StatsApi {

    private static final Logger LOG = LoggerFactory.getLogger(StatsApi.class);
    private static final int DEFAULT_LIMIT = 10;
    private static final int MAX_LIMIT = 1000;

    private static final Set<String> PATHS = Set.of("/api/stats/summary", "/api/stats/timeseries", "/api/stats/top",
            "/api/stats/realtime", "/api/stats/funnel", "/api/sites");

    private final StatsQueries queries;
    private final Funnel funnel;

    public StatsApi(StatsQueries queries, Funnel funnel) {
        this.queries = queries;
        this.funnel = funnel;
    }

    /** Handles a stats path; false when the path is not one of them. */
    public boolean handle(String path, HttpExchange exchange) throws IOException {
        if (!PATHS.contains(path)) {
            return false;
        }
        try {
            Map<String, String> params = Exchanges.params(exchange);
            switch (path) {
                case "/api/stats/summary" -> summary(exchange, params);
                case "/api/stats/timeseries" -> timeseries(exchange, params);
                case "/api/stats/top" -> top(exchange, params);
                case "/api/stats/realtime" -> realtime(exchange, params);
                case "/api/stats/funnel" -> funnel(exchange, params);
                case "/api/sites" -> {
                    Exchanges.noParams(exchange);
                    sites(exchange);
                }
                default -> {
                    return false;
                }
            }
        } catch (BadParameterException e) {
            Exchanges.error(exchange, 400, "bad_parameter", e.getMessage());
        } catch (SQLException e) {
            LOG.warn("event=stats_failed path={} error=\"{}\"", path, firstLine(e.getMessage()));
            Exchanges.error(exchange, 503, "warehouse_unavailable", "the warehouse did not answer");
        }
        return true;
    }

    private void summary(HttpExchange exchange, Map<String, String> params) throws BadParameterException, SQLException, IOException {
        StatsRequest request = StatsRequest.from(params, true, Set.of());
        StatsQueries.Summary current = queries.summary(request);
        TimeRange before = request.range().previous();
        StatsQueries.Summary previous = queries.summary(request.over(before));
        Exchanges.json(exchange, 200, g -> {
            g.writeStartObject();
            g.writeStringField("site", request.site());
            range(g, request.range());
            summaryFields(g, current);
            g.writeObjectFieldStart("previous");
            range(g, before);
            summaryFields(g, previous);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static void range(JsonGenerator g, TimeRange range) throws IOException {
        g.writeStringField("from", range.from().toString());
        g.writeStringField("to", range.to().toString());
    }

    private static void summaryFields(JsonGenerator g, StatsQueries.Summary s) throws IOException {
        g.writeNumberField("visitors", s.visitors());
        g.writeNumberField("sessions", s.sessions());
        g.writeNumberField("pageviews", s.pageviews());
        g.writeNumberField("events", s.events());
        g.writeNumberField("views_per_session", s.viewsPerSession());
        g.writeNumberField("bounce_rate", s.bounceRate());
        g.writeNumberField("visit_duration_s", s.visitDurationSeconds());
        g.writeBooleanField("visitors_estimated", s.visitorsEstimated());
    }

    private void timeseries(HttpExchange exchange, Map<String, String> params) throws BadParameterException, SQLException, IOException {
        StatsRequest request = StatsRequest.from(params, true, Set.of("interval", "tz"));
        Interval interval = Interval.fromWire(params.get("interval"));
        ZoneId zone = zone(params.get("tz"));
        long buckets = StatsQueries.bucketCount(request.range(), interval, zone);
        if (buckets > StatsQueries.MAX_BUCKETS) {
            throw new BadParameterException("interval", "more than " + StatsQueries.MAX_BUCKETS + " " + interval.sqlName()
                    + " buckets in this range; choose a larger interval or a shorter range");
        }
        StatsQueries.Counted<List<StatsQueries.Point>> points = queries.timeseries(request, interval, zone);
        Exchanges.json(exchange, 200, g -> {
            g.writeStartObject();
            g.writeStringField("site", request.site());
            range(g, request.range());
            g.writeStringField("interval", interval.sqlName());
            g.writeStringField("tz", zone.getId());
            g.writeBooleanField("visitors_estimated", points.visitorsEstimated());
            g.writeArrayFieldStart("points");
            for (StatsQueries.Point p : points.value()) {
                g.writeStartObject();
                g.writeStringField("start", p.start().toOffsetDateTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
                g.writeNumberField("visitors", p.visitors());
                g.writeNumberField("pageviews", p.pageviews());
                g.writeNumberField("events", p.events());
                g.writeNumberField("sessions", p.sessions());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    static ZoneId zone(String tz) throws BadParameterException {
        if (tz == null || tz.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            // No zone name holds a space: one is an offset's '+' typed unencoded in the URL (tz=+05:30), as in from/to.
            return ZoneId.of(tz.replace(' ', '+'));
        } catch (DateTimeException e) {
            throw new BadParameterException("tz", "unknown time zone '" + tz + "'; use an IANA name such as Europe/Berlin"
                    + " or an offset such as +05:30");
        }
    }

    private void top(HttpExchange exchange, Map<String, String> params) throws BadParameterException, SQLException, IOException {
        StatsRequest request = StatsRequest.from(params, true, Set.of("dimension", "limit"));
        String name = params.get("dimension");
        if (name == null || name.isBlank()) {
            throw new BadParameterException("dimension", "is required; one of " + Dimension.names());
        }
        Dimension dimension = Dimension.fromWire("dimension", name);
        String key = dimension == Dimension.PROP ? Dimension.propKey("dimension", name.substring(Dimension.PROP_PREFIX.length())) : null;
        int limit = limit(params.get("limit"));
        StatsQueries.Counted<List<StatsQueries.TopRow>> rows = queries.top(request, dimension, key, limit);
        StatsQueries.Counted<Long> base = StatsQueries.hasConversionRate(dimension) ? queries.conversionBase(request) : null;
        Exchanges.json(exchange, 200, g -> {
            g.writeStartObject();
            g.writeStringField("site", request.site());
            range(g, request.range());
            g.writeStringField("dimension", key == null ? dimension.wireName() : Dimension.PROP_PREFIX + key);
            g.writeBooleanField("visitors_estimated", rows.visitorsEstimated() || base != null && base.visitorsEstimated());
            if (base != null) {
                g.writeNumberField("conversion_base", base.value());
            }
            g.writeArrayFieldStart("rows");
            for (StatsQueries.TopRow r : rows.value()) {
                g.writeStartObject();
                g.writeStringField("value", r.value());
                g.writeNumberField("visitors", r.visitors());
                if (dimension.isSessionLevel()) {
                    g.writeNumberField("sessions", r.sessions());
                } else {
                    g.writeNumberField("pageviews", r.pageviews());
                    g.writeNumberField("events", r.events());
                }
                if (base != null) {
                    g.writeNumberField("conversion_rate", StatsQueries.conversionRate(r.visitors(), base.value()));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    static int limit(String value) throws BadParameterException {
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadParameterException("limit", "must be a whole number from 1 to " + MAX_LIMIT + "; got '" + value + "'");
    }

    private void realtime(HttpExchange exchange, Map<String, String> params) throws BadParameterException, SQLException, IOException {
        StatsRequest request = StatsRequest.from(params, false, Set.of());
        StatsQueries.Realtime r = queries.realtime(request);
        Exchanges.json(exchange, 200, g -> {
            g.writeStartObject();
            g.writeStringField("site", request.site());
            g.writeStringField("now", r.now().toString());
            g.writeNumberField("visitors", r.visitors());
            g.writeNumberField("visitors_window_minutes", StatsQueries.REALTIME_VISITOR_MINUTES);
            g.writeBooleanField("visitors_estimated", r.visitorsEstimated());
            g.writeStringField("series_start", r.seriesStart().toString());
            g.writeArrayFieldStart("pageviews_per_minute");
            for (long n : r.pageviewsPerMinute()) {
                g.writeNumber(n);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private void funnel(HttpExchange exchange, Map<String, String> params) throws BadParameterException, SQLException, IOException {
        StatsRequest request = StatsRequest.from(params, true, Set.of("steps"));
        List<Filter> steps = Funnel.steps(params.get("steps"));
        Funnel.checkFilters(request);
        List<Funnel.Step> reached = funnel.run(request, steps);
        long entered = reached.get(0).visits();
        Exchanges.json(exchange, 200, g -> {
            g.writeStartObject();
            g.writeStringField("site", request.site());
            range(g, request.range());
            g.writeNumberField("conversion_rate", StatsQueries.ratio2(100 * reached.get(reached.size() - 1).visits(), entered));
            g.writeArrayFieldStart("steps");
            long before = entered;
            for (Funnel.Step step : reached) {
                g.writeStartObject();
                g.writeStringField("step", step.label());
                g.writeNumberField("visits", step.visits());
                g.writeNumberField("visitors", step.visitors());
                g.writeNumberField("conversion_rate", StatsQueries.ratio2(100 * step.visits(), entered));
                g.writeNumberField("dropoff", before - step.visits());
                g.writeNumberField("dropoff_rate", StatsQueries.ratio2(100 * (before - step.visits()), before));
                g.writeEndObject();
                before = step.visits();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private void sites(HttpExchange exchange) throws SQLException, IOException {
        List<String> sites = queries.sites();
        Instant deletedBefore = queries.deletedBefore();
        Exchanges.json(exchange, 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("sites");
            for (String s : sites) {
                g.writeString(s);
            }
            g.writeEndArray();
            g.writeStringField("deleted_before", deletedBefore == null ? null : deletedBefore.toString());
            g.writeEndObject();
        });
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unknown";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).replace('"', '\'');
    }
}
