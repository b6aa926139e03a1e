package io.footfall.enricher.useragent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The maintained crawler list of the npm package {@code crawler-user-agents} (MIT, see {@code NOTICE.md}):
 * ~1,500 patterns, compiled into one alternation so a user agent is tested in one pass. Slow per call
 * (tens of µs), so it runs only on a user-agent cache miss.
 */
public final class CrawlerList {

    static final String RESOURCE = "crawler-user-agents.json";

    private final Pattern any;
    private final int patterns;
    private final List<String> examples;

    private CrawlerList(Pattern any, int patterns, List<String> examples) {
        this.any = any;
        this.patterns = patterns;
        this.examples = List.copyOf(examples);
    }

    public static CrawlerList shipped() {
        try (InputStream in = CrawlerList.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("crawler list " + RESOURCE + " is missing from the jar");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            StringBuilder alternation = new StringBuilder();
            List<String> examples = new ArrayList<>();
            int count = 0;
            for (JsonNode entry : root) {
                String pattern = entry.path("pattern").asText();
                try {
                    Pattern.compile(pattern);
                } catch (PatternSyntaxException e) {
                    continue;
                }
                alternation.append(count++ == 0 ? "" : "|").append("(?:").append(pattern).append(')');
                entry.path("instances").forEach(i -> examples.add(i.asText()));
            }
            return new CrawlerList(Pattern.compile(alternation.toString()), count, examples);
        } catch (IOException e) {
            throw new UncheckedIOException("crawler list " + RESOURCE + " cannot be read", e);
        }
    }

    public boolean isCrawler(String userAgent) {
        return userAgent != null && any.matcher(userAgent).find();
    }

    public int patterns() {
        return patterns;
    }

    /** The example user agents the list ships with its patterns (~2,100): a public corpus for tests and benchmarks. */
    public List<String> examples() {
        return examples;
    }
}
