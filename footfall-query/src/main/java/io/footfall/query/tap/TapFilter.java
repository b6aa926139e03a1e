package io.footfall.query.tap;

import java.util.Locale;

/**
 * Which records a tap client sees: an exact site (or any) and a case-insensitive substring of the JSON
 * (or any).
 */
public record TapFilter(String site, String grep) {

    public static final TapFilter ALL = new TapFilter(null, null);

    public boolean matches(TapRecord r) {
        if (site != null && !site.isEmpty() && !site.equals(r.site())) {
            return false;
        }
        return grep == null || grep.isEmpty() || r.json().toLowerCase(Locale.ROOT).contains(grep.toLowerCase(Locale.ROOT));
    }
}
