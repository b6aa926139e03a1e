package io.footfall.enricher.url;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The five UTM parameters of a page URL's query string. Absent ones are null. Values are trimmed, and a name
 * written {@code amp;utm_medium} (a link HTML-escaped once too often: {@code &amp;utm_medium=email}) counts as
 * {@code utm_medium}. Without a source or medium, an ad network's click id stands for them as the network's
 * auto-tagging means it: {@code gclid}, {@code gbraid} or {@code wbraid} is google / cpc, {@code msclkid} bing / cpc.
 * Still without a source, a source parameter names it ({@link #fromQuery(String, List)}: {@code ?ref=producthunt}).
 */
public record Utm(String source, String medium, String campaign, String term, String content) {

    public static final Utm NONE = new Utm(null, null, null, null, null);

    /**
     * The longest value of a source parameter read as a source: a source's name is a word or two
     * ({@code producthunt}, {@code newsletter}); a longer value is a referral code or a token, not a name.
     */
    static final int MAX_SOURCE_LENGTH = 64;

    /** The UTM parameters and click ids of a query, without reading any source parameter. */
    public static Utm fromQuery(String query) {
        return fromQuery(query, List.of());
    }

    /**
     * @param sourceParams lower-case names of the parameters that name a link's source without UTM, in order of
     *                     precedence ({@code ref}, then {@code source}): when the query has no {@code utm_source} and
     *                     no click id, the value of the first present, trimmed, not empty, at most
     *                     {@link #MAX_SOURCE_LENGTH} characters and not a URL, is the source. It never sets a medium.
     *                     Names compare case-insensitively; of a parameter given twice, the first usable value counts.
     */
    public static Utm fromQuery(String query, List<String> sourceParams) {
        if (query == null || query.indexOf('=') < 0) {
            return NONE;
        }
        String source = null, medium = null, campaign = null, term = null, content = null, paidBy = null;
        String named = null;
        int namedRank = sourceParams.size();
        for (String pair : query.split("&")) {
            String p = pair.startsWith("amp;") ? pair.substring(4) : pair;
            int eq = p.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = p.substring(0, eq);
            if (!name.startsWith("utm_")) {
                if (paidBy == null && eq + 1 < p.length()) {
                    paidBy = adNetwork(name);
                }
                int rank = rank(name, sourceParams);
                if (rank < namedRank) {
                    String value = sourceName(p.substring(eq + 1));
                    if (value != null) {
                        named = value;
                        namedRank = rank;
                    }
                }
                continue;
            }
            String value = decode(p.substring(eq + 1)).strip();
            if (value.isEmpty()) {
                continue;
            }
            switch (name) {
                case "utm_source" -> source = value;
                case "utm_medium" -> medium = value;
                case "utm_campaign" -> campaign = value;
                case "utm_term" -> term = value;
                case "utm_content" -> content = value;
                default -> { }
            }
        }
        if (source == null && medium == null && paidBy != null) {
            source = paidBy;
            medium = "cpc";
        }
        if (source == null) {
            source = named;
        }
        return new Utm(source, medium, campaign, term, content);
    }

    /** Where a parameter stands among the source parameters, or their count when it is none of them. */
    private static int rank(String name, List<String> sourceParams) {
        for (int i = 0; i < sourceParams.size(); i++) {
            if (sourceParams.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return sourceParams.size();
    }

    /** A source parameter's value as a source's name, or null when it cannot be one (empty, too long, a URL). */
    private static String sourceName(String raw) {
        String value = decode(raw).strip();
        if (value.isEmpty() || value.length() > MAX_SOURCE_LENGTH || value.regionMatches(true, 0, "http://", 0, 7)
                || value.regionMatches(true, 0, "https://", 0, 8)) {
            return null;
        }
        return value;
    }

    /** The ad network whose auto-tagging adds this parameter to a click's URL, or null. */
    private static String adNetwork(String parameter) {
        return switch (parameter.toLowerCase(Locale.ROOT)) {
            case "gclid", "gbraid", "wbraid" -> "google";
            case "msclkid" -> "bing";
            default -> null;
        };
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }
}
