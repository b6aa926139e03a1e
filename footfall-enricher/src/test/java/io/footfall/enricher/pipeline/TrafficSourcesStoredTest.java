package io.footfall.enricher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.config.Settings;
import io.footfall.core.event.StoredEvent;
import io.footfall.enricher.MutableClock;
import io.footfall.enricher.RawEvents;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where visits came from, as the rows say it, through the pipeline as {@code replay} hosts it. */
class TrafficSourcesStoredTest {

    private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");

    private static StoredEvent stored(Map<String, String> settings, String url, String referrer) {
        EnrichmentPipeline pipeline = new EnrichmentPipeline(EnricherConfig.from(Settings.of(settings)), new MutableClock(T0));
        return pipeline.process(RawEvents.bytes(RawEvents.withReferrer(RawEvents.pageview(url, T0), referrer)),
                new InMemoryState()).stored();
    }

    private static StoredEvent stored(String url) {
        return stored(Map.of(), url, null);
    }

    /** A link shared with {@code ?ref=} or {@code ?source=} and no UTM: its value is the utm_source. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "https://shop.test/?ref=producthunt| producthunt| -",
        "https://shop.test/launch?source=newsletter| newsletter| -",
        "https://shop.test/?source=newsletter&ref=producthunt| producthunt| -",
        "https://shop.test/?ref=+Hacker%20News+| Hacker News| -",
        "https://shop.test/?ref=producthunt&utm_source=twitter&utm_medium=social| twitter| social",
        "https://shop.test/?utm_medium=email&source=newsletter| newsletter| email",
        "https://shop.test/?ref=producthunt&gclid=abc| google| cpc",
        "https://shop.test/?ref=| -| -",
        "https://shop.test/?ref=https%3A%2F%2Fnews.ycombinator.com%2F| -| -",
        // A hash router's route: its UTM beats the query's ref; without UTM anywhere, the query's ref, else the route's.
        "https://shop.test/?ref=producthunt#/landing?utm_source=news| news| -",
        "https://shop.test/?ref=producthunt#/landing?x=1| producthunt| -",
        "https://shop.test/#/landing?ref=producthunt| producthunt| -",
    })
    void aSourceParameterIsTheUtmSourceWhenTheUrlHasNone(String url, String source, String medium) {
        StoredEvent s = stored(url);
        assertEquals(source, s.utmSource());
        assertEquals(medium, s.utmMedium());
    }

    /** It stays in the stored URL: on many sites it is part of the page's address. */
    @Test
    void theParameterStaysInTheStoredUrl() {
        StoredEvent s = stored("https://shop.test/launch?ref=producthunt&fbclid=abc");
        assertEquals("https://shop.test/launch?ref=producthunt", s.url());
        assertEquals("ref=producthunt", s.query());
        assertEquals("producthunt", s.utmSource());
        assertNull(s.referrerSource(), "the referrer's source is the referrer's");
    }

    /** A site whose URLs use the names for something else turns it off, or names its own parameters. */
    @Test
    void theParametersAreConfigurable() {
        assertNull(stored(Map.of("enricher.sourceParams", ""), "https://shop.test/?ref=producthunt", null).utmSource());
        assertEquals("partner", stored(Map.of("enricher.sourceParams", "via"), "https://shop.test/?ref=x&via=partner", null)
                .utmSource());
        StoredEvent stripped = stored(Map.of("enricher.stripParams", "ref"), "https://shop.test/?ref=producthunt", null);
        assertEquals("producthunt", stripped.utmSource(), "read before it is stripped, as UTM parameters are");
        assertEquals("https://shop.test/", stripped.url());
    }

    /**
     * An internationalised referrer host is one host whether it came as browsers send it ({@code xn--}) or as
     * written: stored in the ASCII form browsers send, under one source.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "https://xn--bcher-kva.example/empfehlungen",
        "https://bücher.example/empfehlungen",
        "https://BÜCHER.example/empfehlungen",
        "https://bu\u0308cher.example/empfehlungen",
    })
    void anInternationalisedReferrerHostIsStoredInOneForm(String referrer) {
        StoredEvent s = stored(Map.of(), "https://shop.test/", referrer);
        assertEquals("xn--bcher-kva.example", s.referrerHost());
        assertEquals("xn--bcher-kva.example", s.referrerSource());
        assertEquals("other", s.referrerType());
    }

    /** The site's own pages are internal in either form, with or without www., and the page's host is stored as well. */
    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource(delimiter = '|', value = {
        "https://xn--mnchen-3ya.example/karte| https://münchen.example/",
        "https://münchen.example/karte| https://www.xn--mnchen-3ya.example/",
        "https://www.münchen.example/karte| https://münchen.example/",
    })
    void theSitesOwnInternationalisedHostIsInternal(String url, String referrer) {
        StoredEvent s = stored(Map.of(), url, referrer);
        assertEquals("internal", s.referrerType());
        assertNull(s.referrerSource());
        assertEquals(url.contains("www.") ? "www.xn--mnchen-3ya.example" : "xn--mnchen-3ya.example", s.host());
        assertEquals(url, s.url(), "the URL is stored as sent");
    }
}
