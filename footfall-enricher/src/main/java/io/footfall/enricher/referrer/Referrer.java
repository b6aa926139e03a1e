package io.footfall.enricher.referrer;

/**
 * What a referrer URL says about where a visit came from.
 *
 * @param host       lower-case referrer host without port, or null for a direct visit
 * @param type       the referrer type
 * @param source     the list's name for the referrer ("Google", "Facebook"), or null when unknown
 * @param searchTerm the search term from the referrer's query, where the list names the parameter and the
 *                   engine still sends it (most no longer do), or null
 */
public record Referrer(String host, ReferrerType type, String source, String searchTerm) {

    public static final Referrer DIRECT = new Referrer(null, ReferrerType.DIRECT, null, null);
}
