package io.footfall.query.stats;

import java.util.List;

/**
 * One condition of the {@code filters} parameter.
 *
 * @param key    the custom property's key when the dimension is {@link Dimension#PROP}, else null
 * @param values alternatives (OR); {@link #NONE} stands for "no value" (SQL NULL), e.g. direct traffic
 */
public record Filter(Dimension dimension, String key, Operator operator, List<String> values) {

    public Filter(Dimension dimension, Operator operator, List<String> values) {
        this(dimension, null, operator, values);
    }

    /** The value that matches a missing column value, e.g. {@code referrer_host==(none)} for direct visits. */
    public static final String NONE = "(none)";

    /** is, is not, contains, does not contain. */
    public enum Operator {
        IS("=="), IS_NOT("!="), CONTAINS("~"), NOT_CONTAINS("!~");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }
}
