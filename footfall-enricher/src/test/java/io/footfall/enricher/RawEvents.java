package io.footfall.enricher;

import io.footfall.core.event.EventType;
import io.footfall.core.event.RawEvent;
import io.footfall.core.json.RawEventJson;
import java.time.Instant;
import java.util.UUID;

/** Raw events as the collector writes them, with fields tests change one at a time. */
public final class RawEvents {

    public static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/120.0.0.0 Safari/537.36";
    public static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    private RawEvents() {
    }

    public static RawEvent pageview(String url, Instant receivedAt) {
        return new RawEvent(UUID.randomUUID().toString(), "shop.test", EventType.PAGEVIEW, null, url, null, "Home",
                null, null, "1920x1080", "en-GB", "Europe/London", null, receivedAt.toEpochMilli(), "203.0.113.7", CHROME);
    }

    public static RawEvent withReferrer(RawEvent e, String referrer) {
        return new RawEvent(e.eventId(), e.site(), e.type(), e.name(), e.url(), referrer, e.title(), e.clientTs(),
                e.visitorId(), e.screen(), e.language(), e.timezone(), e.props(), e.receivedAt(), e.clientIp(), e.userAgent());
    }

    public static RawEvent withUrl(RawEvent e, String url) {
        return new RawEvent(e.eventId(), e.site(), e.type(), e.name(), url, e.referrer(), e.title(), e.clientTs(),
                e.visitorId(), e.screen(), e.language(), e.timezone(), e.props(), e.receivedAt(), e.clientIp(), e.userAgent());
    }

    public static RawEvent withVisitor(RawEvent e, String visitorId) {
        return new RawEvent(e.eventId(), e.site(), e.type(), e.name(), e.url(), e.referrer(), e.title(), e.clientTs(),
                visitorId, e.screen(), e.language(), e.timezone(), e.props(), e.receivedAt(), e.clientIp(), e.userAgent());
    }

    public static byte[] bytes(RawEvent e) {
        return RawEventJson.encode(e);
    }
}
