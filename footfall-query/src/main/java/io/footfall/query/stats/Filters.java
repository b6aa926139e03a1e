package io.footfall.query.stats;

import io.footfall.query.http.BadParameterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Parses the compact {@code filters} syntax: conditions joined by {@code ;}, each
 * {@code dimension OP value[|value...]} with OP one of {@code ==} (is), {@code !=} (is not), {@code ~}
 * (contains, case-insensitive) and {@code !~} (does not contain). {@code \;}, {@code \|} and {@code \\}
 * escape the separators. Example: {@code path==/pricing|/plans;country!=DE;referrer_host~google}.
 */
public final class Filters {

    /** Bounds the SQL a request can produce: 20 conditions of 50 alternatives of 512 characters. */
    static final int MAX_FILTERS = 20;
    static final int MAX_VALUES = 50;
    static final int MAX_VALUE_LENGTH = 512;
    private static final Pattern CONDITION = Pattern.compile("([a-z_]+)(==|!=|!~|~)(.*)", Pattern.DOTALL);

    private Filters() {
    }

    public static List<Filter> parse(String text) throws BadParameterException {
        return parse("filters", text, MAX_FILTERS, name -> true, null, false);
    }

    /**
     * Parses conditions in the {@code filters} syntax given under another parameter (a funnel's {@code steps}).
     *
     * @param parameter the parameter's name, which every error names
     * @param max       the most conditions it takes
     * @param only      the dimensions the conditions may be on
     */
    static List<Filter> parse(String parameter, String text, int max, Set<Dimension> only) throws BadParameterException {
        return parse(parameter, text, max, name -> only.stream().anyMatch(d -> d.wireName().equals(name)),
                only.stream().map(Dimension::wireName).sorted().collect(Collectors.joining(", ")), true);
    }

    /**
     * @param ordered whether each condition's place counts (a funnel's steps): then an empty one is refused, not
     *                skipped, so that {@code a;;b} is not taken for two steps
     */
    private static List<Filter> parse(String parameter, String text, int max, Predicate<String> allowed, String allowedNames,
                                      boolean ordered) throws BadParameterException {
        List<Filter> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        if (endsInALoneBackslash(text)) {
            throw new BadParameterException(parameter, "a '\\' at the end escapes nothing: write '\\\\' for a backslash");
        }
        List<String> conditions = split(text, ';');
        for (int i = 0; i < conditions.size(); i++) {
            String condition = conditions.get(i);
            if (condition.isBlank()) {
                if (ordered) {
                    throw new BadParameterException(parameter, "condition " + (i + 1) + " of " + conditions.size() + " is empty");
                }
                continue;
            }
            if (out.size() == max) {
                throw new BadParameterException(parameter, "at most " + max + " conditions");
            }
            out.add(condition(parameter, condition, allowed, allowedNames));
        }
        return out;
    }

    private static Filter condition(String parameter, String condition, Predicate<String> allowed, String allowedNames)
            throws BadParameterException {
        String dimensionText;
        String rest;
        if (condition.startsWith(Dimension.PROP_PREFIX)) {
            // A property's key is free text: it ends at the first unescaped operator.
            int at = operatorAt(condition, Dimension.PROP_PREFIX.length());
            if (at < 0) {
                throw notACondition(parameter, condition);
            }
            dimensionText = condition.substring(0, at);
            rest = condition.substring(at);
        } else {
            Matcher m = CONDITION.matcher(condition);
            if (!m.matches()) {
                throw notACondition(parameter, condition);
            }
            dimensionText = m.group(1);
            rest = m.group(2) + m.group(3);
        }
        if (!allowed.test(dimensionText)) {
            throw new BadParameterException(parameter, "only " + allowedNames + " can be used; got '" + unescape(dimensionText) + "'");
        }
        Dimension dimension = Dimension.fromWire(parameter, dimensionText);
        if (dimension == Dimension.PROP_KEY) {
            throw new BadParameterException(parameter, "filter on one custom property: 'prop:<key>==value'");
        }
        String key = dimension == Dimension.PROP
                ? Dimension.propKey(parameter, unescape(dimensionText.substring(Dimension.PROP_PREFIX.length()))) : null;
        String symbol = rest.startsWith("==") || rest.startsWith("!=") || rest.startsWith("!~") ? rest.substring(0, 2) : "~";
        Filter.Operator operator = switch (symbol) {
            case "==" -> Filter.Operator.IS;
            case "!=" -> Filter.Operator.IS_NOT;
            case "~" -> Filter.Operator.CONTAINS;
            default -> Filter.Operator.NOT_CONTAINS;
        };
        String label = key == null ? dimension.wireName() : Dimension.PROP_PREFIX + key;
        List<String> values = new ArrayList<>();
        for (String raw : split(rest.substring(symbol.length()), '|')) {
            String value = unescape(raw);
            if (value.isEmpty()) {
                throw new BadParameterException(parameter, "empty value for " + label);
            }
            if (value.length() > MAX_VALUE_LENGTH) {
                throw new BadParameterException(parameter, "a value is longer than " + MAX_VALUE_LENGTH + " characters");
            }
            values.add(value);
        }
        if (values.size() > MAX_VALUES) {
            throw new BadParameterException(parameter, "at most " + MAX_VALUES + " alternatives per condition");
        }
        return new Filter(dimension, key, operator, List.copyOf(values));
    }

    private static BadParameterException notACondition(String parameter, String condition) {
        return new BadParameterException(parameter, "'" + unescape(condition)
                + "' is not 'dimension==value', 'dimension!=value', 'dimension~text' or 'dimension!~text'");
    }

    /** Where the first unescaped operator ({@code ==}, {@code !=}, {@code !~} or {@code ~}) starts, or -1. */
    private static int operatorAt(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '~' || (c == '=' || c == '!') && i + 1 < text.length()
                    && (text.charAt(i + 1) == '=' || c == '!' && text.charAt(i + 1) == '~')) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the text ends in a backslash that no other one escapes. */
    private static boolean endsInALoneBackslash(String text) {
        int n = 0;
        for (int i = text.length() - 1; i >= 0 && text.charAt(i) == '\\'; i--) {
            n++;
        }
        return n % 2 == 1;
    }

    /** Splits on an unescaped separator, keeping escapes for the next level. */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                current.append(c).append(text.charAt(++i));
            } else if (c == separator) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                out.append(text.charAt(++i));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
