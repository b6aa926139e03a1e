package io.footfall.enricher.pipeline;

import io.footfall.core.event.BadEvent;
import io.footfall.core.event.StoredEvent;

/**
 * What one raw record became: a stored event, a bad record, or nothing (e.g. a duplicate).
 * Exactly one of the fields is set, or none for a dropped duplicate.
 */
public record Outcome(StoredEvent stored, BadEvent bad) {

    public static final Outcome NONE = new Outcome(null, null);

    public static Outcome stored(StoredEvent event) {
        return new Outcome(event, null);
    }

    public static Outcome bad(BadEvent event) {
        return new Outcome(null, event);
    }
}
