package io.footfall.enricher.validate;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.footfall.core.json.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Makes the payload of a {@code footfall.bad} record: the original raw record without its client IP.
 *
 * <p>A readable JSON object is copied token by token without its top-level {@code ip} field (the collector
 * puts the client IP there and nowhere else). A record that is not readable JSON cannot be trusted to keep
 * the IP in that field, so every run of text that looks like an IPv4 or IPv6 address is masked instead.
 */
public final class PayloadScrubber {

    static final String MASK = "[ip removed]";
    private static final String IP_FIELD = "ip";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");
    /** Two or more colons among hex digits: every textual IPv6 form, including {@code ::1} and mapped IPv4. */
    private static final Pattern IPV6 = Pattern.compile(
            "(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9A-Fa-f]{0,4})(?:%[\\w.]+)?");

    private PayloadScrubber() {
    }

    public static String withoutIp(byte[] raw) {
        try {
            return copyWithoutIp(raw);
        } catch (IOException | RuntimeException e) {
            return maskAddresses(new String(raw, StandardCharsets.UTF_8));
        }
    }

    private static String copyWithoutIp(byte[] raw) throws IOException {
        StringWriter out = new StringWriter(raw.length);
        try (JsonParser p = Json.FACTORY.createParser(raw); JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not an object");
            }
            g.writeStartObject();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (IP_FIELD.equals(field)) {
                    p.skipChildren();
                    continue;
                }
                g.writeFieldName(field);
                g.copyCurrentStructure(p);
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IOException("trailing content");
            }
            g.writeEndObject();
        }
        return maskAddresses(out.toString());
    }

    /** Masks IPv6 first: an IPv4-mapped IPv6 address contains an IPv4 one. */
    static String maskAddresses(String text) {
        String masked = IPV6.matcher(text).replaceAll(m -> isIpv6Like(m.group()) ? MASK : m.group());
        return IPV4.matcher(masked).replaceAll(MASK);
    }

    /** At least two colons and a hex digit or a double colon: times such as 12:30:00 are not addresses. */
    private static boolean isIpv6Like(String s) {
        if (s.contains("::")) {
            return true;
        }
        int colons = (int) s.chars().filter(c -> c == ':').count();
        return colons >= 3 && s.chars().anyMatch(c -> Character.isLetter(c) || c == '%');
    }
}
