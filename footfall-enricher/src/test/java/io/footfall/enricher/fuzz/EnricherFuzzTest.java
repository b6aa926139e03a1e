package io.footfall.enricher.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.footfall.core.config.EnricherConfig;
import io.footfall.core.config.Settings;
import io.footfall.enricher.pipeline.EnrichmentPipeline;
import io.footfall.enricher.pipeline.InMemoryState;
import io.footfall.enricher.pipeline.Outcome;
import io.footfall.enricher.referrer.Referrer;
import io.footfall.enricher.referrer.ReferrerClassifier;
import io.footfall.enricher.referrer.ReferrerList;
import io.footfall.enricher.url.TrackingParams;
import io.footfall.enricher.url.UrlParts;
import io.footfall.enricher.url.Utm;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * Fuzz targets of the enrichment parsers (URL, UTM, tracking-parameter strip, referrer) and of the whole
 * pipeline (which includes the user-agent wrapper). Property: no input escapes as an exception; the
 * pipeline turns every record into a stored event or a bad record.
 */
class EnricherFuzzTest {

    private static final ReferrerClassifier REFERRERS = new ReferrerClassifier(ReferrerList.shipped());
    private static final TrackingParams TRACKING = new TrackingParams(List.of("fbclid", "gclid", "utm_id"));
    private static final EnrichmentPipeline PIPELINE = new EnrichmentPipeline(
            EnricherConfig.from(Settings.of(Map.of())), Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC));

    @FuzzTest
    void urlParsersNeverThrow(FuzzedDataProvider data) {
        String url = data.consumeString(4096);
        String pageHost = data.consumeString(64);
        UrlParts parts = UrlParts.parse(url);
        assertNotNull(parts);
        Utm.fromQuery(parts.query());
        String stripped = TRACKING.strip(parts.query());
        if (stripped != null && parts.query() != null) {
            assertTrue(stripped.length() <= parts.query().length(), "stripping never grows the query");
        }
        Referrer referrer = REFERRERS.classify(url, pageHost);
        assertNotNull(referrer.type());
    }

    @FuzzTest
    void pipelineTurnsEveryRecordIntoAnOutcome(byte[] raw) {
        Outcome outcome = PIPELINE.process(raw, new InMemoryState());
        assertTrue(outcome.stored() != null || outcome.bad() != null || outcome == Outcome.NONE);
        if (outcome.stored() != null) {
            String json = new String(io.footfall.core.json.StoredEventJson.encode(outcome.stored()),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(!json.contains("\"ip\""), "no ip field leaves the enricher");
        }
    }
}
