package io.footfall.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Reads a configuration file — YAML ({@code .yaml}, {@code .yml}) or Java properties — into dotted keys. */
public final class ConfigFiles {

    private ConfigFiles() {
    }

    public static Map<String, String> read(Path path) {
        String name = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("config file " + path + ": does not exist");
        }
        try {
            if (name.endsWith(".properties")) {
                return readProperties(path);
            }
            return readYaml(path);
        } catch (JsonProcessingException e) {
            // Not YAML, or a key given twice (the second would silently win): where, as an editor counts lines.
            JsonLocation at = e.getLocation();
            String what = firstLine(e.getOriginalMessage());
            if (e.getCause() instanceof MarkedYAMLException yaml) {
                what = "cannot be read as YAML: " + (yaml.getContext() == null ? "" : yaml.getContext() + ", ") + yaml.getProblem();
            }
            throw new ConfigException("config file " + path + (at == null || at.getLineNr() < 1 ? "" : ", line " + at.getLineNr()
                    + " column " + at.getColumnNr()) + ": " + firstLine(what));
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + path + ": does not exist");
        } catch (IOException e) {
            throw new ConfigException("config file " + path + ": cannot be read: " + firstLine(e.getMessage()));
        }
    }

    private static Map<String, String> readProperties(Path path) throws IOException {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(path)) {
            props.load(reader);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : props.stringPropertyNames()) {
            out.put(key.trim(), props.getProperty(key));
        }
        return out;
    }

    private static Map<String, String> readYaml(Path path) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
                .readTree(path.toFile());
        Map<String, String> out = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return out;
        }
        if (!root.isObject()) {
            throw new ConfigException("config file " + path + ": must be a mapping of sections to settings");
        }
        flatten("", root, out, path);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path path) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(key + ".", value, out, path);
            } else if (value.isArray()) {
                StringBuilder joined = new StringBuilder();
                value.forEach(item -> joined.append(joined.length() == 0 ? "" : ",").append(item.asText()));
                out.put(key, joined.toString());
            } else if (value.isNull()) {
                out.put(key, Settings.EMPTY_IN_FILE);
            } else {
                out.put(key, value.asText());
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
