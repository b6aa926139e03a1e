package io.footfall.enricher.url;

import java.util.Locale;

/**
 * Host, path and query of a page URL, split without {@link java.net.URI} (which rejects much of what real
 * browsers send) and without allocating more than the three parts.
 *
 * <p>A fragment that starts with {@code /} or {@code !/} is a single-page app's route ({@code #/settings}, what
 * the tracker's {@code data-hash} counts as pages): it stays on the path, up to its own {@code ?}, so that each
 * route is a page of its own ({@code /#/settings}). Any other fragment (an anchor, a token) is dropped.
 *
 * @param host  lower-case host without port, an internationalised one in its ASCII form ({@code xn--bcher-kva.example},
 *              {@link HostNames}), or null
 * @param path  path starting with {@code /}; {@code /} when the URL has none; with the route, if any
 * @param query query string without {@code ?}, or null
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
        int hostEnd = authorityEnd(url, hostStart);
        String authority = url.substring(hostStart, hostEnd);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        String host = HostNames.ascii(stripPort(authority).toLowerCase(Locale.ROOT));
        int fragment = url.indexOf('#', hostEnd);
        int end = fragment < 0 ? url.length() : fragment;
        int queryStart = url.indexOf('?', hostEnd);
        if (queryStart > end) {
            queryStart = -1;
        }
        int pathEnd = queryStart < 0 ? end : queryStart;
        String path = pathEnd > hostEnd ? url.substring(hostEnd, pathEnd) : "/";
        int route = routeEnd(url, fragment);
        if (route > fragment) {
            path = path + url.substring(fragment, route);
        }
        String query = queryStart < 0 || queryStart + 1 >= end ? null : url.substring(queryStart + 1, end);
        return new UrlParts(host.isEmpty() ? null : host, path, query);
    }

    /**
     * Where the route in the fragment at {@code fragment} ends (its {@code ?} or the URL's end), or -1 when the
     * fragment is not a route: it must start with {@code #/} or {@code #!/}.
     */
    static int routeEnd(String url, int fragment) {
        if (fragment < 0 || !(url.startsWith("/", fragment + 1) || url.startsWith("!/", fragment + 1))) {
            return -1;
        }
        int q = url.indexOf('?', fragment);
        return q < 0 ? url.length() : q;
    }

    /** Where the fragment of an absolute URL starts ({@code #}), or -1 (none, or not a URL). */
    private static int fragmentAt(String url) {
        int scheme = url == null ? -1 : url.indexOf("://");
        return scheme < 0 ? -1 : url.indexOf('#', scheme + 3);
    }

    /**
     * The query of a route in the fragment ({@code #/landing?utm_source=x}: where a hash router keeps it), or null.
     * Only its UTM parameters are read; it is neither on the path nor stored.
     */
    public static String routeQuery(String url) {
        int route = routeEnd(url, fragmentAt(url));
        return route < 0 || route + 1 >= url.length() ? null : url.substring(route + 1);
    }

    /**
     * A URL without a fragment, except a route ({@link #stored(String, String, String)} with the query kept): the
     * referrer as stored. Browsers never send a fragment in a referrer, but the tracker's {@code data-hash} names the
     * previous route, and another fragment there could be a token. Nor a user name or password before the host.
     */
    public static String stored(String url) {
        if (url == null || url.indexOf('#') < 0) {
            return url == null ? null : withoutUserInfo(url);
        }
        String query = parse(url).query();
        return stored(url, query, query);
    }

    /**
     * The URL as stored: the query replaced by {@code newQuery} (tracking parameters removed), and of the fragment
     * only a route, as on the path, and no user name or password before the host. Returns {@code url} itself when
     * nothing changes.
     *
     * @param query    the query {@link #parse} found in {@code url}
     * @param newQuery what to store instead, or null for none
     */
    public static String stored(String url, String query, String newQuery) {
        if (url == null) {
            return null;
        }
        url = withoutUserInfo(url);
        int fragment = fragmentAt(url);
        int route = routeEnd(url, fragment);
        boolean sameQuery = query == null ? newQuery == null : query.equals(newQuery);
        if (sameQuery && (fragment < 0 || route == url.length())) {
            return url;
        }
        int end = fragment < 0 ? url.length() : fragment;
        int scheme = url.indexOf("://");
        int q = scheme < 0 ? -1 : url.indexOf('?', scheme + 3);
        String base = url.substring(0, q >= 0 && q < end ? q : end);
        return base + (newQuery == null ? "" : "?" + newQuery) + (route > fragment ? url.substring(fragment, route) : "");
    }

    /** The URL without a user name or password before its host ({@code https://user:secret@host/} → {@code https://host/}). */
    static String withoutUserInfo(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return url;
        }
        int start = scheme + 3;
        int end = authorityEnd(url, start);
        int at = end > start ? url.lastIndexOf('@', end - 1) : -1;
        return at < start ? url : url.substring(0, start) + url.substring(at + 1);
    }

    /** Where the authority (user info, host, port) that begins at {@code start} ends: its path, query or fragment. */
    private static int authorityEnd(String url, int start) {
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return end;
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
