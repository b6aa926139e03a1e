package io.footfall.enricher.url;

import java.util.Locale;

/**
 * Host, path and query of a page URL, split without {@link java.net.URI} (which rejects much of what real
 * browsers send) and without allocating more than the three parts.
 *
 * @param host  lower-case host without port, or null
 * @param path  path starting with {@code /}; {@code /} when the URL has none
 * @param query query string without {@code ?}, or null; the fragment is dropped
 */
public record UrlParts(String host, String path, String query) {

    private static final UrlParts NONE = new UrlParts(null, null, null);

    public static UrlParts parse(String url) {
        if (url == null) {
            return NONE;
        }
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return NONE;
        }
        int hostStart = scheme + 3;
        int hostEnd = hostStart;
        while (hostEnd < url.length() && "/?#".indexOf(url.charAt(hostEnd)) < 0) {
            hostEnd++;
        }
        String authority = url.substring(hostStart, hostEnd);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        String host = stripPort(authority).toLowerCase(Locale.ROOT);
        int fragment = url.indexOf('#', hostEnd);
        int end = fragment < 0 ? url.length() : fragment;
        int queryStart = url.indexOf('?', hostEnd);
        if (queryStart > end) {
            queryStart = -1;
        }
        int pathEnd = queryStart < 0 ? end : queryStart;
        String path = pathEnd > hostEnd ? url.substring(hostEnd, pathEnd) : "/";
        String query = queryStart < 0 || queryStart + 1 >= end ? null : url.substring(queryStart + 1, end);
        return new UrlParts(host.isEmpty() ? null : host, path, query);
    }

    private static String stripPort(String authority) {
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            return close < 0 ? authority : authority.substring(0, close + 1);
        }
        int colon = authority.indexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }
}
