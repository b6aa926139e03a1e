package io.footfall.enricher.url;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Removes configured query parameters (click ids such as {@code fbclid} and {@code gclid}) from a query
 * string. They identify one click of one person, are useless for counting pages, and would split one page
 * into as many rows of "top pages" as there were clicks. Parameter names compare case-insensitively.
 */
public final class TrackingParams {

    private final Set<String> names;

    public TrackingParams(List<String> names) {
        this.names = Set.copyOf(names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList());
    }

    /** @return the query without the configured parameters, the same instance when none was present, or null if empty */
    public String strip(String query) {
        if (query == null || names.isEmpty()) {
            return query;
        }
        StringBuilder kept = null;
        int start = 0;
        while (start <= query.length()) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = query.length();
            }
            boolean drop = isTracking(query, start, end);
            if (drop && kept == null) {
                kept = new StringBuilder(query.length());
                kept.append(query, 0, Math.max(0, start - 1));
            } else if (!drop && kept != null && end > start) {
                if (kept.length() > 0) {
                    kept.append('&');
                }
                kept.append(query, start, end);
            }
            start = end + 1;
        }
        if (kept == null) {
            return query;
        }
        return kept.length() == 0 ? null : kept.toString();
    }

    private boolean isTracking(String query, int start, int end) {
        int eq = query.indexOf('=', start);
        int nameEnd = eq < 0 || eq > end ? end : eq;
        return nameEnd > start && names.contains(query.substring(start, nameEnd).toLowerCase(Locale.ROOT));
    }
}
