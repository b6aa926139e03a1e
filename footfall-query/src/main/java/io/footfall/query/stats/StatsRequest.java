package io.footfall.query.stats;

import io.footfall.query.http.BadParameterException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The parameters every stats endpoint shares, validated. Unknown parameters are refused too, so a typo
 * ({@code filter=} for {@code filters=}) is a 400 instead of silently unfiltered numbers.
 *
 * @param range       null for endpoints that look at a fixed window (realtime)
 * @param includeBots false unless {@code include_bots=true}
 */
public record StatsRequest(String site, TimeRange range, List<Filter> filters, boolean includeBots) {

    private static final Pattern SITE = Pattern.compile("[a-z0-9._-]{1,64}");
    private static final Set<String> COMMON = Set.of("site", "from", "to", "filters", "include_bots");

    /** Reads the common parameters; {@code extra} lists the endpoint's own ones. */
    public static StatsRequest from(Map<String, String> params, boolean needsRange, Set<String> extra)
            throws BadParameterException {
        // Without a range (realtime: the last minutes) from and to would be ignored: refused instead.
        Set<String> known = new TreeSet<>(COMMON);
        if (!needsRange) {
            known.removeAll(Set.of("from", "to"));
        }
        known.addAll(extra);
        for (String name : params.keySet()) {
            if (!known.contains(name)) {
                throw new BadParameterException(name, "unknown parameter; known: " + String.join(", ", known));
            }
        }
        String site = site(params);
        TimeRange range = needsRange ? TimeRange.from(params) : null;
        return new StatsRequest(site, range, Filters.parse(params.get("filters")), bool(params, "include_bots"));
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

    static boolean bool(Map<String, String> params, String name) throws BadParameterException {
        String value = params.get(name);
        if (value == null || value.isEmpty() || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw new BadParameterException(name, "must be true or false; got '" + value + "'");
    }

    /** The same request over another range (the previous period). */
    StatsRequest over(TimeRange other) {
        return new StatsRequest(site, other, filters, includeBots);
    }
}
