package io.footfall.query.tap;

/**
 * One record as the tap shows it: never with a client IP.
 *
 * @param kind    {@code pageview}, {@code event} or {@code bad}
 * @param site    the site, or null when unknown (an unparseable bad record)
 * @param summary a short human line: the path, the event name or the bad reason
 * @param json    the record as JSON text, IP removed
 */
public record TapRecord(String kind, String site, long timestampMs, String summary, String json) {
}
