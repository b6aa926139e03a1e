package io.footfall.app.collector.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What came back for one expected response: an HTTP response, the connection closed without one, or
 * nothing at all within the wait (a hang).
 *
 * @param status   the status code, or 0 when closed or hung
 * @param error    the JSON {@code error} of an error answer, or null
 * @param accepted the {@code accepted} count of a 202, or -1
 * @param rejected the {@code error} of each {@code rejected[]} entry of a 202, in order
 */
public record Observed(Kind kind, int status, String error, int accepted, List<String> rejected, String head) {

    enum Kind { RESPONSE, CLOSED, HUNG }

    private static final Pattern ERROR = Pattern.compile("\"error\":\"([^\"]*)\"");
    private static final Pattern ACCEPTED = Pattern.compile("^\\{\"accepted\":(\\d+)");

    static Observed closed() {
        return new Observed(Kind.CLOSED, 0, null, -1, List.of(), "");
    }

    static Observed hung() {
        return new Observed(Kind.HUNG, 0, null, -1, List.of(), "");
    }

    /** Reads the collector's JSON answer shapes: {@code {"error":..}} and {@code {"accepted":n,"rejected":[..]}}. */
    static Observed response(int status, String head, String body) {
        Matcher accepted = ACCEPTED.matcher(body);
        List<String> errors = new ArrayList<>();
        Matcher m = ERROR.matcher(body);
        while (m.find()) {
            errors.add(m.group(1));
        }
        if (accepted.find()) {
            return new Observed(Kind.RESPONSE, status, null, Integer.parseInt(accepted.group(1)), errors, head);
        }
        return new Observed(Kind.RESPONSE, status, errors.isEmpty() ? null : errors.get(0), -1, List.of(), head);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CLOSED -> "closed";
            case HUNG -> "no answer";
            case RESPONSE -> status + (error != null ? " " + error : "")
                    + (accepted >= 0 ? " accepted=" + accepted + (rejected.isEmpty() ? "" : " rejected=" + String.join(",", rejected)) : "");
        };
    }
}
