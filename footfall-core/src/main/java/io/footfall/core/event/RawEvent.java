package io.footfall.core.event;

/**
 * One event as the collector received it, the value of a {@code footfall.raw} record.
 *
 * <p>Client fields are kept as sent (after validation); {@code receivedAt}, {@code clientIp} and
 * {@code userAgent} are attached by the collector. The client IP, truncated to its network by the collector
 * ({@link ClientIps}), lives only on the raw topic: the enricher uses it in memory (geo, cookieless visitor id)
 * and never writes it on.
 *
 * @param clientTs   client time as epoch milliseconds, or {@code null}
 * @param props      the custom properties as a compact JSON object text, or {@code null}
 * @param receivedAt collector receive time, epoch milliseconds
 */
public record RawEvent(
        String eventId,
        String site,
        EventType type,
        String name,
        String url,
        String referrer,
        String title,
        Long clientTs,
        String visitorId,
        String screen,
        String language,
        String timezone,
        String props,
        long receivedAt,
        String clientIp,
        String userAgent) {

    /** A copy carrying the connection facts the collector knows. */
    public RawEvent withReceipt(long receivedAtMs, String ip, String ua) {
        return new RawEvent(eventId, site, type, name, url, referrer, title, clientTs, visitorId, screen,
                language, timezone, props, receivedAtMs, ip, ua);
    }

    /** A copy with the given event id (the collector assigns one when the client sent none). */
    public RawEvent withEventId(String id) {
        return new RawEvent(id, site, type, name, url, referrer, title, clientTs, visitorId, screen,
                language, timezone, props, receivedAt, clientIp, userAgent);
    }
}
