package io.footfall.enricher.topology;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.enricher.geo.GeoLocation;
import io.footfall.enricher.referrer.Referrer;
import io.footfall.enricher.referrer.ReferrerClassifier;
import io.footfall.enricher.referrer.ReferrerType;
import io.footfall.enricher.session.SessionState;
import io.footfall.enricher.url.TrackingParams;
import io.footfall.enricher.url.UrlParts;
import io.footfall.enricher.url.Utm;
import io.footfall.enricher.useragent.UserAgentInfo;
import java.util.List;

/**
 * Builds the stored event from a raw one and the facts the steps decided. A plain function: no Kafka
 * Streams types, so {@code replay} and tests can call it directly.
 */
public final class Enrichment {

    /**
     * Bumped whenever a rule changes what an event becomes; stored on every row. 2: tracking parameters
     * stripped, referrer list, user agent and bots, geo, dedup. 3: the cookieless visitor id and the location
     * come from the client's network (IPv4 /24, IPv6 /48), not its full address. 4: a route in the fragment
     * ({@code #/settings}) is on the path, other fragments leave the stored url and referrer, a route's query may
     * carry the UTM parameters. 5: the site's own host with or without {@code www.} is internal; Android apps, AI
     * assistants and newer search, social and mail hosts are known referrers; an ad network's click id stands for a
     * missing UTM source and medium (google / cpc); UTM values trimmed; no user name or password in a stored URL;
     * marketing tools' visitor ids stripped; major browser and OS versions, {@code Windows}; the first-level region;
     * a cookieless session under way at the salt's midnight goes on (same session and visitor id) instead of
     * becoming a new visitor's new session; {@code referrer_source}, the referrer list's name for the source
     * ("Google" for every Google host), else the referrer host without {@code www.}. 6: desktop apps people use
     * (Slack, Notion, Asana, WhatsApp) and Yauaa's agent class Special (TV and set-top box players, ...) are not
     * bots; an in-app browser is named after its app; {@code ?ref=} / {@code ?source=} fill a missing
     * {@code utm_source}; an internationalised host is stored in its ASCII form.
     */
    public static final String PIPELINE_VERSION = "6";

    private Enrichment() {
    }

    /**
     * The page's URL parts and UTM, computed once per event and used by the session step too.
     *
     * @param url      host, path and the query as stored (tracking parameters removed)
     * @param utm      UTM parameters, read before anything was removed
     * @param storedUrl the url as stored: the original with the cleaned query, and of the fragment only a route
     */
    public record Page(UrlParts url, Utm utm, String storedUrl) {
        public Page(UrlParts url, Utm utm) {
            this(url, utm, null);
        }

        /** Without stripping any parameter; the default source parameters. */
        public static Page of(RawEvent e) {
            UrlParts parts = UrlParts.parse(e.url());
            return new Page(parts, utm(e.url(), parts, EnricherConfig.DEFAULT_SOURCE_PARAMS),
                    UrlParts.stored(e.url(), parts.query(), parts.query()));
        }

        /**
         * @param sourceParams the parameters that name a link's source without UTM ({@code ref}, {@code source}),
         *                     read before anything is stripped, as the UTM parameters are
         */
        public static Page of(RawEvent e, TrackingParams strip, List<String> sourceParams) {
            UrlParts parts = UrlParts.parse(e.url());
            Utm utm = utm(e.url(), parts, sourceParams);
            String query = strip.strip(parts.query());
            String stored = UrlParts.stored(e.url(), parts.query(), query);
            return new Page(query == parts.query() ? parts : new UrlParts(parts.host(), parts.path(), query), utm, stored);
        }

        /**
         * The query's UTM parameters; without any, those of a hash router's route ({@code #/landing?utm_source=x}).
         * A source parameter ({@code ?ref=x}) counts only where neither has UTM (nor a click id), the query's first:
         * it never overrides a tagged source.
         */
        private static Utm utm(String url, UrlParts parts, List<String> sourceParams) {
            String route = url != null && url.indexOf('#') >= 0 ? UrlParts.routeQuery(url) : null;
            if (route == null || !Utm.fromQuery(parts.query()).equals(Utm.NONE)) {
                return Utm.fromQuery(parts.query(), sourceParams);
            }
            Utm routeUtm = Utm.fromQuery(route);
            if (!routeUtm.equals(Utm.NONE)) {
                return routeUtm;
            }
            Utm named = Utm.fromQuery(parts.query(), sourceParams);
            return named.equals(Utm.NONE) ? Utm.fromQuery(route, sourceParams) : named;
        }
    }

    /** The walking skeleton's form: no referrer list, user agent or geo. */
    public static StoredEvent apply(RawEvent e, Page page, String visitorId, SessionState session) {
        Referrer referrer = ReferrerClassifier.withoutList().classify(e.referrer(), page.url().host());
        return apply(e, page, referrer, UserAgentInfo.UNKNOWN, GeoLocation.UNKNOWN, visitorId, session);
    }

    /**
     * @param session the visitor's session after this event, or null when sessions are off
     */
    public static StoredEvent apply(RawEvent e, Page page, Referrer referrer, UserAgentInfo ua, GeoLocation geo,
                                    String visitorId, SessionState session) {
        UrlParts url = page.url();
        Utm utm = page.utm();
        // A search engine's term fills utm_term when the URL had none: one column for campaign and search terms.
        String term = utm.term() == null && referrer.type() == ReferrerType.SEARCH ? referrer.searchTerm() : utm.term();
        return new StoredEvent(
                e.eventId(), e.site(), e.type().wireName(), e.name(), e.receivedAt(), e.clientTs(),
                page.storedUrl() == null ? e.url() : page.storedUrl(), url.host(), url.path(), url.query(), e.title(),
                UrlParts.stored(e.referrer()), referrer.host(), referrer.type().wireName(),
                utm.source(), utm.medium(), utm.campaign(), term, utm.content(),
                visitorId, session == null ? null : session.sessionId(), session == null ? 0 : session.seq(),
                session != null && session.seq() == 1,
                ua.browser(), ua.browserVersion(), ua.os(), ua.osVersion(), ua.deviceType(), ua.isBot(),
                geo.country(), geo.region(), geo.city(),
                e.screen(), e.language(), e.timezone(), e.props(), PIPELINE_VERSION, referrer.storedSource());
    }
}
