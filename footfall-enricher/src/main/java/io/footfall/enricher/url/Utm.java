package io.footfall.enricher.url;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** The five UTM parameters of a page URL's query string. Absent ones are null. */
public record Utm(String source, String medium, String campaign, String term, String content) {

    public static final Utm NONE = new Utm(null, null, null, null, null);

    public static Utm fromQuery(String query) {
        if (query == null || !query.contains("utm_")) {
            return NONE;
        }
        String source = null, medium = null, campaign = null, term = null, content = null;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 4 || !pair.startsWith("utm_")) {
                continue;
            }
            String value = decode(pair.substring(eq + 1));
            if (value.isEmpty()) {
                continue;
            }
            switch (pair.substring(0, eq)) {
                case "utm_source" -> source = value;
                case "utm_medium" -> medium = value;
                case "utm_campaign" -> campaign = value;
                case "utm_term" -> term = value;
                case "utm_content" -> content = value;
                default -> { }
            }
        }
        return new Utm(source, medium, campaign, term, content);
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }
}
