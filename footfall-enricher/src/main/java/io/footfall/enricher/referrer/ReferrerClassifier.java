package io.footfall.enricher.referrer;

import io.footfall.enricher.url.UrlParts;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Classifies a referrer URL against the page it led to: no referrer is {@code direct}, the page's own host
 * (with or without {@code www.}) is {@code internal}, a host on the {@link ReferrerList} is search, social or email,
 * anything else {@code other}. An app's {@code android-app://<package>/} is looked up by its package name, which the
 * lists name like a host.
 *
 * <p>Lookup order follows Snowplow's referer-parser: host plus first path segment, then the host, then the
 * host with leading labels removed one by one ({@code l.facebook.com} → {@code facebook.com}).
 */
public final class ReferrerClassifier {

    private final ReferrerList list;

    public ReferrerClassifier(ReferrerList list) {
        this.list = list;
    }

    /** Without a list: only direct, internal and other. */
    public static ReferrerClassifier withoutList() {
        return new ReferrerClassifier(null);
    }

    public Referrer classify(String referrerUrl, String pageHost) {
        if (referrerUrl == null || referrerUrl.isEmpty()) {
            return Referrer.DIRECT;
        }
        UrlParts ref = UrlParts.parse(referrerUrl);
        String host = ref.host();
        if (host == null) {
            return new Referrer(null, ReferrerType.OTHER, null, null);
        }
        if (sameSite(host, pageHost)) {
            return new Referrer(host, ReferrerType.INTERNAL, null, null);
        }
        ReferrerList.Known known = list == null ? null : lookup(host, ref.path());
        if (known == null) {
            return new Referrer(host, ReferrerType.OTHER, null, null);
        }
        String term = known.type() == ReferrerType.SEARCH ? searchTerm(ref.query(), known) : null;
        return new Referrer(host, known.type(), known.source(), term);
    }

    /** The page's own host, with or without {@code www.} or a final dot ({@code shop.test} and {@code www.shop.test.}). */
    static boolean sameSite(String host, String pageHost) {
        return pageHost != null && bare(host).equals(bare(pageHost));
    }

    private static String bare(String host) {
        return Referrer.withoutWww(host.endsWith(".") ? host.substring(0, host.length() - 1) : host);
    }

    private ReferrerList.Known lookup(String host, String path) {
        if (path != null && path.length() > 1) {
            int second = path.indexOf('/', 1);
            ReferrerList.Known withPath = list.get(host + (second < 0 ? path : path.substring(0, second)));
            if (withPath != null) {
                return withPath;
            }
        }
        String candidate = host;
        while (true) {
            ReferrerList.Known known = list.get(candidate);
            if (known != null) {
                return known;
            }
            int dot = candidate.indexOf('.');
            if (dot < 0 || candidate.indexOf('.', dot + 1) < 0) {
                return null;
            }
            candidate = candidate.substring(dot + 1);
        }
    }

    private static String searchTerm(String query, ReferrerList.Known known) {
        if (query == null || known.parameters().isEmpty()) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && known.parameters().contains(pair.substring(0, eq))) {
                String value = decode(pair.substring(eq + 1)).trim();
                // A redirect's destination (Google's /url?q=https://...) is not what anyone searched for.
                if (!value.isEmpty() && !value.regionMatches(true, 0, "http://", 0, 7) && !value.regionMatches(true, 0, "https://", 0, 8)) {
                    return value.length() > 256 ? value.substring(0, 256) : value;
                }
            }
        }
        return null;
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }
}
