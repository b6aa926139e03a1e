package io.footfall.enricher.validate;

import io.footfall.core.event.BadEvent;
import io.footfall.core.event.EventRules;
import io.footfall.core.event.InvalidEventException;
import io.footfall.core.event.RawEvent;
import io.footfall.core.json.RawEventJson;
import java.io.IOException;

/**
 * The first step: a {@code footfall.raw} value becomes a {@link RawEvent} that meets the event contract, or
 * a {@link BadEvent} saying why not. The collector already checked what it received; this guards against
 * anything else that writes to the raw topic (old collectors, replays, hand-made records).
 */
public final class Validation {

    public static final String STAGE = "enrich";

    private Validation() {
    }

    /** Exactly one of the fields is set. */
    public record Result(RawEvent event, BadEvent bad) {
    }

    public static Result check(byte[] rawValue, long nowMs) {
        if (rawValue == null || rawValue.length == 0) {
            return bad(rawValue, "empty_record", "the raw record has no value", null, nowMs);
        }
        RawEvent event;
        try {
            event = RawEventJson.decode(rawValue);
        } catch (IOException | RuntimeException e) {
            return bad(rawValue, "unreadable", "the raw record is not a readable event", null, nowMs);
        }
        try {
            EventRules.check(event);
        } catch (InvalidEventException e) {
            return bad(rawValue, e.reason(), e.getMessage(), event.site(), nowMs);
        }
        if (event.receivedAt() <= 0) {
            return bad(rawValue, "missing_received_at", "received_at is required on the raw topic", event.site(), nowMs);
        }
        return new Result(event, null);
    }

    /** A bad record; its payload is the original minus the client IP, which never leaves the raw topic. */
    public static Result bad(byte[] rawValue, String reason, String detail, String site, long nowMs) {
        String payload = rawValue == null ? null : PayloadScrubber.withoutIp(rawValue);
        String safeSite = site != null && site.length() <= 64 ? site : null;
        return new Result(null, new BadEvent(STAGE, reason, detail, safeSite, payload, nowMs));
    }
}
