package io.footfall.enricher.referrer;

/**
 * What a referrer URL says about where a visit came from.
 *
 * @param host       lower-case referrer host without port, an internationalised one in its ASCII form
 *                   ({@code xn--bcher-kva.example}), or null for a direct visit
 * @param type       the referrer type
 * @param source     the list's name for the referrer ("Google", "Facebook"), or null when unknown
 * @param searchTerm the search term from the referrer's query, where the list names the parameter and the
 *                   engine still sends it (most no longer do), or null
 */
public record Referrer(String host, ReferrerType type, String source, String searchTerm) {

    public static final Referrer DIRECT = new Referrer(null, ReferrerType.DIRECT, null, null);

    private static final String WWW = "www.";

    /**
     * The stored {@code referrer_source}: one name per source, so that a source's many hosts ({@code www.google.com},
     * {@code www.google.co.uk}, {@code l.facebook.com}, ...) are one row. The list's name where the list knows the
     * host, else the host without a leading {@code www.} ({@code www.blog.example} and {@code blog.example} are one
     * source); null for a direct visit, a referrer without a host, and the site's own pages ({@code internal}: a
     * visit's source is where it came from, never the site itself).
     */
    public String storedSource() {
        if (type == ReferrerType.INTERNAL || host == null) {
            return null;
        }
        if (source != null) {
            return source;
        }
        return withoutWww(host);
    }

    /** The host without a leading {@code www.} ({@code www.blog.example} → {@code blog.example}; {@code www.} stays). */
    static String withoutWww(String host) {
        return host.startsWith(WWW) && host.length() > WWW.length() ? host.substring(WWW.length()) : host;
    }
}
