package io.footfall.enricher.useragent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The maintained crawler list of the npm package {@code crawler-user-agents} (MIT, see {@code NOTICE.md}):
 * ~1,500 patterns, a few of them narrowed ({@link #NARROWED}). It runs only on a user-agent cache miss, and only when
 * Yauaa did not already say robot.
 */
public final class CrawlerList {

    static final String RESOURCE = "crawler-user-agents.json";
    /** Characters that make a pattern more than a literal once escapes are removed. */
    private static final Pattern META = Pattern.compile("[\\[\\](){}.*+?^$|]");

    /**
     * Shipped patterns that also match people's apps, and what footfall matches instead (an empty string: nothing).
     * Each bot's own user agent begins with its name, or names it followed by a slash, and still matches, as every
     * example the list gives for it does; an app a person uses carries the same word after its browser's tokens.
     * The shipped file stays as published, so a newer copy can be dropped in; an entry here whose pattern the new
     * copy no longer has does nothing.
     */
    static final Map<String, String> NARROWED = Map.of(
            // The desktop app of Slack (Electron) ends its agent with "Sonic Slack_SSB/4.41.105".
            "Sonic", "Sonic/|RankSonic",
            // Notion's, Asana's and WhatsApp's desktop apps: "... Notion/4.2.0 Chrome/130.0.6723.191 Electron/33.3.2 ...".
            "Notion\\/", "^Notion/",
            "Asana\\/", "^Asana/",
            "WhatsApp", "^WhatsApp",
            // A site-specific browser for the Mac (a web app in a window of its own), as the list itself describes it.
            "Fluid", "");

    private final String[] literals;
    private final Pattern[] patterns;
    private final List<String> examples;

    private CrawlerList(List<String> literals, List<Pattern> patterns, List<String> examples) {
        this.literals = literals.toArray(String[]::new);
        this.patterns = patterns.toArray(Pattern[]::new);
        this.examples = List.copyOf(examples);
    }

    /**
     * Loads the list. Most entries are plain words ({@code Googlebot\/}): those are matched with
     * {@link String#contains}, the rest as separate patterns, which lets the regex engine use its
     * literal-prefix search; one big alternation measured ~2 ms per user agent, this ~0.1 ms.
     */
    public static CrawlerList shipped() {
        try (InputStream in = CrawlerList.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("crawler list " + RESOURCE + " is missing from the jar");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            List<String> literals = new ArrayList<>();
            List<Pattern> patterns = new ArrayList<>();
            List<String> examples = new ArrayList<>();
            for (JsonNode entry : root) {
                String shipped = entry.path("pattern").asText();
                String pattern = NARROWED.getOrDefault(shipped, shipped);
                if (pattern.isEmpty()) {
                    continue; // not a bot: neither its pattern nor its examples
                }
                String literal = unescaped(pattern);
                if (literal != null) {
                    literals.add(literal);
                } else {
                    try {
                        patterns.add(Pattern.compile(pattern));
                    } catch (PatternSyntaxException e) {
                        continue;
                    }
                }
                entry.path("instances").forEach(i -> examples.add(i.asText()));
            }
            return new CrawlerList(literals, patterns, examples);
        } catch (IOException e) {
            throw new UncheckedIOException("crawler list " + RESOURCE + " cannot be read", e);
        }
    }

    /** The text a pattern matches when it is a literal with escaped punctuation, else null. */
    static String unescaped(String pattern) {
        StringBuilder out = new StringBuilder(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                if (i + 1 >= pattern.length() || Character.isLetterOrDigit(pattern.charAt(i + 1))) {
                    return null;
                }
                out.append(pattern.charAt(++i));
            } else if (META.matcher(String.valueOf(c)).matches()) {
                return null;
            } else {
                out.append(c);
            }
        }
        return out.length() == 0 ? null : out.toString();
    }

    public boolean isCrawler(String userAgent) {
        if (userAgent == null) {
            return false;
        }
        for (String literal : literals) {
            if (userAgent.contains(literal)) {
                return true;
            }
        }
        for (Pattern pattern : patterns) {
            if (pattern.matcher(userAgent).find()) {
                return true;
            }
        }
        return false;
    }

    public int patterns() {
        return literals.length + patterns.length;
    }

    /**
     * The example user agents the list ships with its patterns (~2,100), except those of a pattern dropped from
     * {@link #NARROWED}: a public corpus for tests and benchmarks.
     */
    public List<String> examples() {
        return examples;
    }
}
