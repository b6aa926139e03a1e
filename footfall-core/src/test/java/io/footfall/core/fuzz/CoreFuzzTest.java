package io.footfall.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.footfall.core.event.EventRules;
import io.footfall.core.event.EventReader;
import io.footfall.core.event.InvalidEventException;
import io.footfall.core.event.RawEvent;
import io.footfall.core.json.Json;
import io.footfall.core.json.RawEventJson;
import io.footfall.core.json.StoredEventJson;
import java.io.IOException;

/**
 * Fuzz targets of the core parsers. In {@code mvn verify} they replay the committed inputs under
 * {@code src/test/resources/io/footfall/core/fuzz/CoreFuzzTestInputs/<method>/} (regression mode);
 * {@code bench/fuzz.sh} runs them coverage-guided ({@code JAZZER_FUZZ=1}). The property of each: no input,
 * however hostile, escapes as anything but the documented checked error, and what is accepted is valid.
 */
class CoreFuzzTest {

    /** A client event: rejected with a reason or read into an event that passes every rule. */
    @FuzzTest
    void clientEventReaderRejectsOrAcceptsOnlyValidEvents(byte[] body) throws IOException {
        try (JsonParser parser = Json.FACTORY.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            RawEvent event = EventReader.read(parser, 1_764_000_000_000L);
            EventRules.check(event.withEventId("0b6f3c1e-8a4e-4f61-9a4b-2f7c9d1e5a10"));
            assertEquals(event, RawEventJson.decode(RawEventJson.encode(event)), "accepted events round-trip");
        } catch (IOException | InvalidEventException expected) {
            // broken JSON or an invalid event: the documented outcomes
        }
    }

    /** The raw topic codec: a decode error or an event that re-encodes to itself. */
    @FuzzTest
    void rawTopicDecoderNeverThrowsUnchecked(byte[] value) {
        try {
            RawEvent event = RawEventJson.decode(value);
            if (event.site() != null && event.type() != null) {
                assertEquals(event, RawEventJson.decode(RawEventJson.encode(event)));
            }
        } catch (IOException expected) {
            // not a raw event: the enricher sends it to footfall.bad
        }
    }

    /** The events topic codec, as the loader reads it. */
    @FuzzTest
    void storedEventDecoderNeverThrowsUnchecked(byte[] value) {
        try {
            StoredEventJson.decode(value);
        } catch (IOException expected) {
            // not a stored event: the loader counts and reports it
        }
    }
}
