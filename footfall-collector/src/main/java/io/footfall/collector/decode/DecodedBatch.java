package io.footfall.collector.decode;

import io.footfall.core.event.RawEvent;
import java.util.List;

/**
 * The events of one request: those that passed validation, and those that did not.
 *
 * @param accepted valid events, in request order, not yet carrying receipt facts
 * @param rejected one entry per invalid event, with its index in the request
 */
public record DecodedBatch(List<RawEvent> accepted, List<Rejection> rejected) {

    /**
     * @param payload the event's own bytes as text, for {@code footfall.bad} (never logged)
     */
    public record Rejection(int index, String reason, String detail, String payload) {
    }
}
