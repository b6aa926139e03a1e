package io.footfall.enricher.referrer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The known referrers: Snowplow's referer-parser list ({@code referers.yml}, see {@code NOTICE.md}) plus
 * footfall's own additions, indexed by domain. A domain entry is a host ({@code www.google.de}) or a host
 * with a path prefix ({@code bing.com/images/search}), as the list writes them.
 */
public final class ReferrerList {

    /** One medium-source pair with its search parameters (empty unless medium is search). */
    public record Known(ReferrerType type, String source, List<String> parameters) {
    }

    private static final String[] RESOURCES = {"referers.yml", "footfall-referrers.yml"};
    /** footfall-referrers.yml's section of names to store instead of the ones referers.yml spells oddly. */
    private static final String RENAMED = "renamed";

    private final Map<String, Known> byDomain;

    private ReferrerList(Map<String, Known> byDomain) {
        this.byDomain = Map.copyOf(byDomain);
    }

    /** The lists shipped in this jar. */
    public static ReferrerList shipped() {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<JsonNode> lists = new ArrayList<>();
        for (String resource : RESOURCES) {
            try (InputStream in = ReferrerList.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("referrer list " + resource + " is missing from the jar");
                }
                lists.add(yaml.readTree(in));
            } catch (IOException e) {
                throw new UncheckedIOException("referrer list " + resource + " cannot be read", e);
            }
        }
        Map<String, String> renamed = new HashMap<>();
        lists.forEach(list -> list.path(RENAMED).fields().forEachRemaining(e -> renamed.put(e.getKey(), e.getValue().asText())));
        Map<String, Known> byDomain = new HashMap<>();
        lists.forEach(list -> read(list, renamed, byDomain));
        return new ReferrerList(byDomain);
    }

    private static void read(JsonNode root, Map<String, String> renamed, Map<String, Known> byDomain) {
        for (Iterator<Map.Entry<String, JsonNode>> media = root.fields(); media.hasNext(); ) {
            Map.Entry<String, JsonNode> medium = media.next();
            if (medium.getKey().equals(RENAMED)) {
                continue;
            }
            ReferrerType type = switch (medium.getKey()) {
                case "search" -> ReferrerType.SEARCH;
                case "social" -> ReferrerType.SOCIAL;
                case "email" -> ReferrerType.EMAIL;
                default -> ReferrerType.OTHER;
            };
            for (Iterator<Map.Entry<String, JsonNode>> sources = medium.getValue().fields(); sources.hasNext(); ) {
                Map.Entry<String, JsonNode> source = sources.next();
                String name = renamed.getOrDefault(source.getKey(), source.getKey());
                List<String> parameters = strings(source.getValue().get("parameters"));
                for (String domain : strings(source.getValue().get("domains"))) {
                    byDomain.putIfAbsent(domain.toLowerCase(Locale.ROOT), new Known(type, name, parameters));
                }
            }
        }
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> out.add(n.asText().trim()));
        }
        return List.copyOf(out);
    }

    /** The entry for exactly this domain (or domain/path prefix), or null. */
    Known get(String domain) {
        return byDomain.get(domain);
    }

    public int size() {
        return byDomain.size();
    }
}
