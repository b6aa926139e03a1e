package io.footfall.enricher.topology;

import io.footfall.core.event.RawEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.enricher.session.SessionState;
import io.footfall.enricher.url.UrlParts;
import io.footfall.enricher.url.Utm;

/**
 * Builds the stored event from a raw one and the facts the stateful steps decided (visitor, session).
 * A plain function: no Kafka Streams types, so {@code replay} and tests can call it directly.
 */
public final class Enrichment {

    /** Bumped whenever a rule changes what an event becomes; stored on every row. */
    public static final String PIPELINE_VERSION = "1";

    private Enrichment() {
    }

    /** The page's URL parts and UTM, computed once per event and used by the session step too. */
    public record Page(UrlParts url, Utm utm) {
        public static Page of(RawEvent e) {
            UrlParts parts = UrlParts.parse(e.url());
            return new Page(parts, Utm.fromQuery(parts.query()));
        }
    }

    public static StoredEvent apply(RawEvent e, Page page, String visitorId, SessionState session) {
        UrlParts url = page.url();
        Utm utm = page.utm();
        UrlParts referrer = UrlParts.parse(e.referrer());
        return new StoredEvent(
                e.eventId(), e.site(), e.type().wireName(), e.name(), e.receivedAt(), e.clientTs(),
                e.url(), url.host(), url.path(), url.query(), e.title(),
                e.referrer(), referrer.host(), referrerType(referrer.host(), url.host()),
                utm.source(), utm.medium(), utm.campaign(), utm.term(), utm.content(),
                visitorId, session.sessionId(), session.seq(), session.seq() == 1,
                null, null, null, null, null, false,
                null, null, null,
                e.screen(), e.language(), e.timezone(), e.props(), PIPELINE_VERSION);
    }

    static String referrerType(String referrerHost, String pageHost) {
        if (referrerHost == null) {
            return "direct";
        }
        if (referrerHost.equals(pageHost)) {
            return "internal";
        }
        return "other";
    }
}
