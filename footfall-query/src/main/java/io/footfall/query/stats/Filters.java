package io.footfall.query.stats;

import io.footfall.query.http.BadParameterException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        List<Filter> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String condition : split(text, ';')) {
            if (condition.isBlank()) {
                continue;
            }
            if (out.size() == MAX_FILTERS) {
                throw new BadParameterException("filters", "at most " + MAX_FILTERS + " conditions");
            }
            out.add(condition(condition));
        }
        return out;
    }

    private static Filter condition(String condition) throws BadParameterException {
        Matcher m = CONDITION.matcher(condition);
        if (!m.matches()) {
            throw new BadParameterException("filters", "'" + unescape(condition)
                    + "' is not 'dimension==value', 'dimension!=value', 'dimension~text' or 'dimension!~text'");
        }
        Dimension dimension = Dimension.fromWire("filters", m.group(1));
        Filter.Operator operator = switch (m.group(2)) {
            case "==" -> Filter.Operator.IS;
            case "!=" -> Filter.Operator.IS_NOT;
            case "~" -> Filter.Operator.CONTAINS;
            default -> Filter.Operator.NOT_CONTAINS;
        };
        List<String> values = new ArrayList<>();
        for (String raw : split(m.group(3), '|')) {
            String value = unescape(raw);
            if (value.isEmpty()) {
                throw new BadParameterException("filters", "empty value for " + dimension.wireName());
            }
            if (value.length() > MAX_VALUE_LENGTH) {
                throw new BadParameterException("filters", "a value is longer than " + MAX_VALUE_LENGTH + " characters");
            }
            values.add(value);
        }
        if (values.size() > MAX_VALUES) {
            throw new BadParameterException("filters", "at most " + MAX_VALUES + " alternatives per condition");
        }
        return new Filter(dimension, operator, List.copyOf(values));
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
