package io.footfall.enricher.url;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The five UTM parameters of a page URL's query string. Absent ones are null. Values are trimmed, and a name
 * written {@code amp;utm_medium} (a link HTML-escaped once too often: {@code &amp;utm_medium=email}) counts as
 * {@code utm_medium}. Without a source or medium, an ad network's click id stands for them as the network's
 * auto-tagging means it: {@code gclid}, {@code gbraid} or {@code wbraid} is google / cpc, {@code msclkid} bing / cpc.
 */
public record Utm(String source, String medium, String campaign, String term, String content) {

    public static final Utm NONE = new Utm(null, null, null, null, null);

    public static Utm fromQuery(String query) {
        if (query == null || query.indexOf('=') < 0) {
            return NONE;
        }
        String source = null, medium = null, campaign = null, term = null, content = null, paidBy = null;
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
        return new Utm(source, medium, campaign, term, content);
    }

    /** The ad network whose auto-tagging adds this parameter to a click's URL, or null. */
    private static String adNetwork(String parameter) {
        return switch (parameter.toLowerCase(java.util.Locale.ROOT)) {
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
