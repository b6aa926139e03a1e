package io.footfall.core.config;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Layered configuration values, looked up by dotted key ({@code collector.maxEventBytes}).
 *
 * <p>Precedence, highest first: command-line flags, environment variables ({@code FOOTFALL_COLLECTOR_MAX_EVENT_BYTES}),
 * the configuration file, the default declared at the point of use. Every typed getter validates and
 * throws a {@link ConfigException} naming the key. Keys present in a file or flag but never read by any
 * component are reported by {@link #unusedKeys()}, so a typo fails start-up instead of being ignored.
 */
public final class Settings {

    private static final Pattern SIZE = Pattern.compile("(?i)\\s*([0-9]+)\\s*(b|kb|k|mb|m|gb|g)?\\s*");
    private static final Pattern DURATION = Pattern.compile("(?i)\\s*([0-9]+)\\s*(ms|s|m|h|d)\\s*");

    private final Map<String, String> flags;
    private final Map<String, String> env;
    private final Map<String, String> file;
    private final Map<String, String> effective = new TreeMap<>();
    private final Set<String> read = new TreeSet<>();
    private final Set<String> passedThrough = new TreeSet<>();

    public Settings(Map<String, String> flags, Map<String, String> env, Map<String, String> file) {
        this.flags = new HashMap<>(flags);
        this.env = new HashMap<>(env);
        this.file = new LinkedHashMap<>(file);
    }

    /** Settings with only the declared defaults (and the given flags). */
    public static Settings of(Map<String, String> flags) {
        return new Settings(flags, Map.of(), Map.of());
    }

    /** The environment variable that overrides a key: {@code collector.maxEventBytes} → {@code FOOTFALL_COLLECTOR_MAX_EVENT_BYTES}. */
    public static String envName(String key) {
        return "FOOTFALL_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').replace('-', '_')
                .toUpperCase(Locale.ROOT);
    }

    /**
     * The value a file gives a key written without one ({@code port:}, or a section whose lines are all commented
     * out): the key is unset, but its name is still checked, so a misspelt empty key fails the start too.
     */
    public static final String EMPTY_IN_FILE = "\u0000(empty)";

    private String raw(String key) {
        read.add(key);
        String value = flags.get(key);
        if (value == null) {
            value = env.get(envName(key));
        }
        if (value == null) {
            value = file.get(key);
        }
        return EMPTY_IN_FILE.equals(value) ? null : value;
    }

    private <T> T record(String key, T value) {
        // Durations as they are written in a file (30s, 14d), not Java's PT30S.
        effective.put(key, value instanceof Duration d ? words(d) : String.valueOf(value));
        return value;
    }

    /** Whether {@code key} is given (flag, environment or file) rather than left to its default. */
    public boolean given(String key) {
        return flags.containsKey(key) || env.containsKey(envName(key)) || file.containsKey(key) && !EMPTY_IN_FILE.equals(file.get(key));
    }

    public String string(String key, String defaultValue) {
        String value = raw(key);
        return record(key, value == null ? defaultValue : value.trim());
    }

    public int integer(String key, int defaultValue, int min, int max) {
        String value = raw(key);
        if (value == null) {
            return record(key, defaultValue);
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min || parsed > max) {
                throw new ConfigException(key + ": must be between " + min + " and " + max + ", got " + parsed);
            }
            return record(key, parsed);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": must be a whole number, got '" + value + "'");
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        String value = raw(key);
        if (value == null) {
            return record(key, defaultValue);
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> record(key, true);
            case "false", "no", "off", "0" -> record(key, false);
            default -> throw new ConfigException(key + ": must be true or false, got '" + value + "'");
        };
    }

    /** A size in bytes: {@code 1048576}, {@code 1mb}, {@code 64MB}, {@code 32kb}. */
    public long bytes(String key, long defaultValue, long min, long max) {
        String value = raw(key);
        if (value == null) {
            return record(key, defaultValue);
        }
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            throw new ConfigException(key + ": must be a size such as 1048576, 512kb or 64mb, got '" + value + "'");
        }
        long unit = switch (m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT)) {
            case "kb", "k" -> 1024L;
            case "mb", "m" -> 1024L * 1024;
            case "gb", "g" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        long parsed;
        try {
            parsed = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ConfigException(key + ": is too large, got '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigException(key + ": must be between " + min + " and " + max + " bytes, got " + parsed);
        }
        return record(key, parsed);
    }

    /** A duration: {@code 500ms}, {@code 10s}, {@code 30m}, {@code 24h}, {@code 7d}, {@code 0}, or ISO-8601 ({@code PT30M}). */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        String value = raw(key);
        if (value == null) {
            return record(key, defaultValue);
        }
        Duration parsed;
        Matcher m = DURATION.matcher(value);
        if (value.trim().equals("0")) {
            parsed = Duration.ZERO;
        } else if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            parsed = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                parsed = Duration.parse(value.trim());
            } catch (java.time.format.DateTimeParseException e) {
                throw new ConfigException(key + ": must be a duration such as 500ms, 10s, 30m or 24h, got '" + value + "'");
            }
        }
        if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
            throw new ConfigException(key + ": must be between " + words(min) + " and " + words(max) + ", got '" + value + "'");
        }
        return record(key, parsed);
    }

    /** A duration as the settings are written: 500ms, 10s, 30m, 24h, 7d (the largest unit that divides it). */
    static String words(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms != 0 && ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }

    /** One of a fixed set of words. */
    public String choice(String key, String defaultValue, Set<String> allowed) {
        String value = string(key, defaultValue);
        if (!allowed.contains(value)) {
            throw new ConfigException(key + ": must be one of " + new TreeSet<>(allowed) + ", got '" + value + "'");
        }
        return value;
    }

    /** All file, env and flag values under a prefix ({@code kafka.producer.}), prefix removed; passed through as-is. */
    public Map<String, String> passThrough(String prefix) {
        Map<String, String> out = new TreeMap<>();
        collect(file, prefix, out);
        for (Map.Entry<String, String> e : env.entrySet()) {
            String envPrefix = envName(prefix.substring(0, prefix.length() - 1)) + "__";
            if (e.getKey().startsWith(envPrefix)) {
                String key = e.getKey().substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                out.put(key, e.getValue());
            }
        }
        collect(flags, prefix, out);
        out.values().removeIf(EMPTY_IN_FILE::equals);
        passedThrough.add(prefix);
        for (String key : out.keySet()) {
            read.add(prefix + key);
            effective.put(prefix + key, out.get(key));
        }
        return Collections.unmodifiableMap(out);
    }

    private static void collect(Map<String, String> source, String prefix, Map<String, String> out) {
        for (Map.Entry<String, String> e : source.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                out.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
    }

    /**
     * Keys given in the file or as flags that no component read: almost always typos. A key the file gives no value
     * is not one when it names a section of read keys ({@code kafka.client:} with its lines commented out).
     */
    public Set<String> unusedKeys() {
        Set<String> unused = new TreeSet<>(file.keySet());
        unused.addAll(flags.keySet());
        unused.removeAll(read);
        unused.removeIf(key -> EMPTY_IN_FILE.equals(file.get(key)) && (read.stream().anyMatch(r -> r.startsWith(key + "."))
                || passedThrough.stream().anyMatch(p -> p.startsWith(key + "."))));
        return unused;
    }

    /** Every key read so far with its effective value, secrets masked (also a password inside a URL). */
    public Map<String, String> effective() {
        Map<String, String> out = new TreeMap<>();
        // An unset secret shows as unset: "******" would say one is set.
        effective.forEach((k, v) -> out.put(k, isSecret(k) && v != null && !"null".equals(v) && !v.isEmpty() ? "******"
                : maskUrlSecrets(v)));
        return out;
    }

    private static final java.util.regex.Pattern URL_PASSWORD = java.util.regex.Pattern.compile(
            "(?i)([?&;]password=)[^&;]*");
    private static final java.util.regex.Pattern URL_USER_INFO = java.util.regex.Pattern.compile("(://[^:/@?#]*:)[^@/?#]*@");

    /** {@code jdbc:postgresql://h/db?user=u&password=p} and {@code scheme://u:p@host} with the password masked. */
    public static String maskUrlSecrets(String value) {
        if (value == null || value.indexOf(':') < 0) {
            return value;
        }
        String masked = URL_PASSWORD.matcher(value).replaceAll("$1******");
        return URL_USER_INFO.matcher(masked).replaceAll("$1******@");
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("token") || k.contains("sasl.jaas");
    }
}
