package io.footfall.app.collector.hostile;

import java.util.ArrayList;
import java.util.List;

/**
 * A case's documented outcome: one or more responses in order (pipelining, separated by {@code ;}), each
 * with alternatives ({@code or}). An alternative is {@code close} (the connection closes without an answer)
 * or a status with optional {@code error}, {@code accepted=N}, {@code rejected=a,b} and {@code raw=N} (the
 * records of this case that must reach {@code footfall.raw}; by default a 202's accepted count, else 0).
 */
public record Expectation(List<List<Alternative>> responses) {

    record Alternative(boolean close, int status, String error, int accepted, List<String> rejected, int raw) {

        /** Null when the observation fits, else why not. */
        String mismatch(Observed seen) {
            if (close) {
                return seen.kind() == Observed.Kind.CLOSED ? null : "not closed";
            }
            if (seen.kind() != Observed.Kind.RESPONSE) {
                return "no response";
            }
            if (seen.status() != status) {
                return "status";
            }
            if (error != null && !error.equals(seen.error())) {
                return "error";
            }
            if (status == 202 && (seen.accepted() != accepted || !seen.rejected().equals(rejected))) {
                return "accepted/rejected";
            }
            return null;
        }

        @Override
        public String toString() {
            if (close) {
                return "close";
            }
            StringBuilder s = new StringBuilder().append(status);
            if (error != null) {
                s.append(' ').append(error);
            }
            if (status == 202) {
                s.append(" accepted=").append(accepted);
                if (!rejected.isEmpty()) {
                    s.append(" rejected=").append(String.join(",", rejected));
                }
            }
            return s.toString();
        }
    }

    static Expectation parse(String text) {
        List<List<Alternative>> responses = new ArrayList<>();
        for (String response : text.trim().split("\\s*;\\s*")) {
            int times = 1;
            java.util.regex.Matcher repeated = java.util.regex.Pattern.compile("^([^=]*)\\*(\\d+)$").matcher(response);
            if (repeated.matches()) {
                response = repeated.group(1);
                times = Integer.parseInt(repeated.group(2));
            }
            List<Alternative> alternatives = new ArrayList<>();
            for (String alternative : response.split("\\s+or\\s+")) {
                alternatives.add(alternative(alternative.trim()));
            }
            for (int i = 0; i < times; i++) {
                responses.add(List.copyOf(alternatives));
            }
        }
        return new Expectation(List.copyOf(responses));
    }

    private static Alternative alternative(String text) {
        if (text.equals("close")) {
            return new Alternative(true, 0, null, 0, List.of(), 0);
        }
        if (text.matches("close raw=\\d+")) {
            return new Alternative(true, 0, null, 0, List.of(), Integer.parseInt(text.substring(10)));
        }
        String[] words = text.split("\\s+");
        int status = Integer.parseInt(words[0]);
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not a status: " + words[0]);
        }
        String error = null;
        int accepted = status == 202 ? 1 : 0;
        List<String> rejected = List.of();
        Integer raw = null;
        for (int i = 1; i < words.length; i++) {
            String w = words[i];
            if (w.startsWith("accepted=")) {
                accepted = Integer.parseInt(w.substring(9));
            } else if (w.startsWith("rejected=")) {
                rejected = rejected(w.substring(9));
            } else if (w.startsWith("raw=")) {
                raw = Integer.parseInt(w.substring(4));
            } else if (w.matches("[a-z_]+") && error == null) {
                error = w;
            } else {
                throw new IllegalArgumentException("cannot read '" + w + "' in expectation '" + text + "'");
            }
        }
        return new Alternative(false, status, error, accepted, rejected, raw != null ? raw : status == 202 ? accepted : 0);
    }

    /** {@code a,b*3} → a, b, b, b. */
    private static List<String> rejected(String text) {
        List<String> out = new ArrayList<>();
        for (String item : text.split(",")) {
            int star = item.indexOf('*');
            int times = star < 0 ? 1 : Integer.parseInt(item.substring(star + 1));
            for (int i = 0; i < times; i++) {
                out.add(star < 0 ? item : item.substring(0, star));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Matches what was seen, response by response.
     *
     * @return the verdict; {@code rawRecords} is the records this case should have put on {@code footfall.raw}
     */
    Verdict judge(List<Observed> seen) {
        int raw = 0;
        for (int i = 0; i < responses.size(); i++) {
            Observed observed = i < seen.size() ? seen.get(i) : Observed.closed();
            if (observed.kind() == Observed.Kind.RESPONSE && observed.status() >= 500) {
                return Verdict.fail("a " + observed.status() + " (never a 5xx): " + brief(describe(seen)), raw);
            }
            Alternative fitting = null;
            for (Alternative alternative : responses.get(i)) {
                if (alternative.mismatch(observed) == null) {
                    fitting = alternative;
                    break;
                }
            }
            if (fitting == null) {
                return Verdict.fail("expected " + brief(toString()) + ", got " + brief(describe(seen)), raw);
            }
            raw += fitting.raw();
        }
        return Verdict.pass(raw);
    }

    private static String brief(String text) {
        return text.length() <= 240 ? text : text.substring(0, 240) + "…";
    }

    private static String describe(List<Observed> seen) {
        return seen.isEmpty() ? "nothing" : String.join(" ; ", seen.stream().map(Observed::toString).toList());
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (List<Alternative> alternatives : responses) {
            parts.add(String.join(" or ", alternatives.stream().map(Alternative::toString).toList()));
        }
        return String.join(" ; ", parts);
    }

    /** One case's result: passed or why not, and how many of its records belong on the raw topic. */
    public record Verdict(boolean passed, String reason, int rawRecords) {
        static Verdict pass(int raw) {
            return new Verdict(true, null, raw);
        }

        static Verdict fail(String reason, int raw) {
            return new Verdict(false, reason, raw);
        }
    }
}
