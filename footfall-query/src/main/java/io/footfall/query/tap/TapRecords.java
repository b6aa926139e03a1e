package io.footfall.query.tap;

import io.footfall.core.event.BadEvent;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.json.BadEventJson;
import io.footfall.core.json.RawEventJson;
import io.footfall.core.json.StoredEventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Turns topic records into what the tap may show. Raw records carry the client IP for the enricher: it is
 * removed here, and also from the original payload a bad record may quote.
 */
public final class TapRecords {

    /** An {@code "ip": "..."} member of JSON text that could not be decoded as a raw event. */
    private static final Pattern IP_MEMBER = Pattern.compile("\"ip\"\\s*:\\s*\"(?:[^\"\\\\]|\\\\.)*\"\\s*,?");

    private TapRecords() {
    }

    /** @return null when the bytes are not a record of that topic (they are skipped, never shown raw) */
    public static TapRecord decode(TapTopic topic, byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return switch (topic) {
                case RAW -> raw(RawEventJson.decode(value));
                case EVENTS -> stored(StoredEventJson.decode(value));
                case BAD -> bad(BadEventJson.decode(value));
            };
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static TapRecord raw(RawEvent e) {
        RawEvent withoutIp = e.withReceipt(e.receivedAt(), null, e.userAgent());
        String kind = e.type() == null ? "raw" : e.type().wireName();
        String summary = e.name() != null ? e.name() : e.url();
        return new TapRecord(kind, e.site(), e.receivedAt(), summary,
                new String(RawEventJson.encode(withoutIp), StandardCharsets.UTF_8));
    }

    private static TapRecord stored(StoredEvent e) {
        String summary = "event".equals(e.type()) ? e.name() + " on " + e.path() : e.path();
        return new TapRecord(e.type(), e.site(), e.receivedAt(), summary,
                new String(StoredEventJson.encode(e), StandardCharsets.UTF_8));
    }

    private static TapRecord bad(BadEvent e) {
        BadEvent clean = new BadEvent(e.stage(), e.reason(), e.detail(), e.site(), withoutIp(e.payload()), e.receivedAt());
        return new TapRecord("bad", e.site(), e.receivedAt(), e.stage() + "/" + e.reason(),
                new String(BadEventJson.encode(clean), StandardCharsets.UTF_8));
    }

    /** A payload with any IP removed: re-encoded when it is a raw event, else the member cut out of the text. */
    public static String withoutIp(String payload) {
        if (payload == null) {
            return null;
        }
        try {
            RawEvent raw = RawEventJson.decode(payload.getBytes(StandardCharsets.UTF_8));
            if (raw.clientIp() != null) {
                return new String(RawEventJson.encode(raw.withReceipt(raw.receivedAt(), null, raw.userAgent())),
                        StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException notRaw) {
            // not a raw event: fall through to the textual cut
        }
        return IP_MEMBER.matcher(payload).replaceAll("");
    }
}
