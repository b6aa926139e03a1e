package io.footfall.enricher.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.core.event.RawEvent;
import io.footfall.core.json.RawEventJson;
import io.footfall.enricher.RawEvents;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The client IP is used in memory only: no textual form of it, and nothing that looks like an address at
 * all, appears in a {@code footfall.events} record (nor in a {@code footfall.bad} one).
 */
class NoIpReachesEventsTest {

    private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");

    /** Dotted quads, and any run of hex groups with two or more colons (every IPv6 form, mapped IPv4 too). */
    static final Pattern ANY_ADDRESS = Pattern.compile(
            "\\d{1,3}(?:\\.\\d{1,3}){3}|(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\\d{1,3}(?:\\.\\d{1,3}){3})");

    private static final List<String> CLIENT_IPS = List.of(
            "198.51.100.23",
            "2001:db8:85a3::8a2e:370:7334",
            "2001:0DB8:85A3:0000:0000:8A2E:0370:7334",
            "::ffff:198.51.100.23",
            "::ffff:c633:6417",
            "fe80::1%eth0",
            "::1",
            "[2001:db8::1]");

    @Test
    void noFormOfTheClientIpAndNoAddressAtAllIsInTheOutput() throws Exception {
        List<String> outputs = new ArrayList<>();
        try (TopologyFixture f = new TopologyFixture(Map.of(), T0)) {
            int n = 0;
            for (String ip : CLIENT_IPS) {
                RawEvent base = RawEvents.pageview("https://shop.test/p?fbclid=1&q=2", T0.plusSeconds(n++));
                f.send(withIp(base, ip));
                f.send(withIp(RawEvents.withReferrer(base.withEventId(java.util.UUID.randomUUID().toString()),
                        "https://www.google.com/search?q=x"), ip));
                f.sendRaw(("{\"site\":\"bad site\",\"type\":\"pageview\",\"ip\":\"" + ip + "\"}").getBytes(StandardCharsets.UTF_8));
            }
            f.events.readValuesToList().forEach(v -> outputs.add(new String(v, StandardCharsets.UTF_8)));
            assertEquals(2 * CLIENT_IPS.size(), outputs.size());
            f.bad.readValuesToList().forEach(v -> outputs.add(new String(v, StandardCharsets.UTF_8)));
            assertEquals(3 * CLIENT_IPS.size(), outputs.size());
        }
        for (String out : outputs) {
            assertFalse(ANY_ADDRESS.matcher(out).find(), "an address-like token in: " + out);
            for (String ip : CLIENT_IPS) {
                for (String form : textualForms(ip)) {
                    assertFalse(out.toLowerCase(Locale.ROOT).contains(form), form + " in: " + out);
                }
            }
        }
    }

    @Test
    void theScannerFindsEveryFormNegativeControl() {
        for (String ip : CLIENT_IPS) {
            String raw = new String(RawEventJson.encode(withIp(RawEvents.pageview("https://shop.test/", T0), ip)),
                    StandardCharsets.UTF_8);
            assertTrue(ANY_ADDRESS.matcher(raw).find(), "the raw record carries " + ip + ": " + raw);
        }
    }

    /** The address as written, lower-cased, and its canonical and fully expanded forms. */
    private static List<String> textualForms(String ip) throws Exception {
        String bare = ip.replace("[", "").replace("]", "");
        int zone = bare.indexOf('%');
        String noZone = zone < 0 ? bare : bare.substring(0, zone);
        List<String> forms = new ArrayList<>(List.of(bare.toLowerCase(Locale.ROOT), noZone.toLowerCase(Locale.ROOT)));
        byte[] address = InetAddress.getByName(noZone).getAddress();
        forms.add(InetAddress.getByAddress(address).getHostAddress().toLowerCase(Locale.ROOT));
        if (address.length == 16) {
            StringBuilder full = new StringBuilder();
            for (int i = 0; i < 16; i += 2) {
                full.append(i == 0 ? "" : ":").append(String.format("%02x%02x", address[i], address[i + 1]));
            }
            forms.add(full.toString());
        }
        return forms;
    }

    private static RawEvent withIp(RawEvent e, String ip) {
        return new RawEvent(e.eventId(), e.site(), e.type(), e.name(), e.url(), e.referrer(), e.title(), e.clientTs(),
                e.visitorId(), e.screen(), e.language(), e.timezone(), e.props(), e.receivedAt(), ip, e.userAgent());
    }
}
