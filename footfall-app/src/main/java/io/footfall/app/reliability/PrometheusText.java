package io.footfall.app.reliability;

import java.util.function.Predicate;

/**
 * Reads samples out of a {@code /metrics} page (Prometheus text format), as an operator's scraper would.
 * Enough for the suites' few gauges: {@code name{labels} value} lines, comments skipped.
 */
final class PrometheusText {

    private final String text;

    PrometheusText(String text) {
        this.text = text;
    }

    /** Sum of the samples of {@code name} whose label text passes {@code labels}; 0 when there are none. */
    double sum(String name, Predicate<String> labels) {
        return text.lines().filter(l -> isSample(l, name)).filter(l -> labels.test(labels(l)))
                .mapToDouble(PrometheusText::value).sum();
    }

    /** Largest sample of {@code name} whose label text passes {@code labels}; -1 when there are none. */
    double max(String name, Predicate<String> labels) {
        return text.lines().filter(l -> isSample(l, name)).filter(l -> labels.test(labels(l)))
                .mapToDouble(PrometheusText::value).max().orElse(-1);
    }

    private static boolean isSample(String line, String name) {
        return line.startsWith(name) && line.length() > name.length()
                && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ');
    }

    private static String labels(String line) {
        int open = line.indexOf('{');
        int close = line.lastIndexOf('}');
        return open < 0 || close < open ? "" : line.substring(open + 1, close);
    }

    private static double value(String line) {
        String[] parts = line.trim().split("\\s+");
        try {
            return Double.parseDouble(parts[parts.length - 1]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
