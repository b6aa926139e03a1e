package io.footfall.enricher.referrer;

import java.util.Locale;

/** The {@code referrer_type} column. */
public enum ReferrerType {
    DIRECT, INTERNAL, SEARCH, SOCIAL, EMAIL, OTHER;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
