package io.footfall.collector.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.footfall.collector.decode.BodyDecoder;
import io.footfall.collector.decode.DecodedBatch;
import io.footfall.collector.decode.Limits;
import io.footfall.collector.decode.RequestRejected;
import io.footfall.core.event.EventRules;
import io.footfall.core.event.InvalidEventException;
import io.footfall.core.event.RawEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * Fuzz target of request decoding: every body form (object, array, NDJSON, text/plain) with and without
 * gzip. Property: a request is either refused as a whole with a documented 4xx, or split into events that
 * each pass the contract and rejections that each carry a reason — never an unchecked exception, never
 * more events than the limit. Regression inputs: {@code src/test/resources/.../BodyDecoderFuzzTestInputs}.
 */
class BodyDecoderFuzzTest {

    private static final Limits LIMITS = new Limits(32 * 1024, 500, 1024 * 1024, 100, Set.of());
    private static final String[] CONTENT_TYPES = {"application/json", "application/x-ndjson", "text/plain;charset=UTF-8",
            null, "application/xml", "application/json; charset=utf-8"};
    private static final Set<Integer> DOCUMENTED = Set.of(400, 403, 413, 415);

    @FuzzTest
    void decodingRefusesOrAcceptsOnlyValidEvents(FuzzedDataProvider data) throws IOException {
        String contentType = CONTENT_TYPES[data.consumeInt(0, CONTENT_TYPES.length - 1)];
        int encoding = data.consumeInt(0, 2);
        byte[] body = data.consumeRemainingAsBytes();
        String contentEncoding = null;
        if (encoding == 1) {
            body = gzip(body);
            contentEncoding = "gzip";
        } else if (encoding == 2) {
            contentEncoding = "gzip"; // raw bytes labelled gzip: mostly invalid gzip
        }
        try {
            DecodedBatch batch = new BodyDecoder(LIMITS).decode(body, body.length, contentType, contentEncoding,
                    1_764_000_000_000L);
            assertTrue(batch.accepted().size() + batch.rejected().size() <= LIMITS.maxEvents());
            for (RawEvent event : batch.accepted()) {
                EventRules.check(event.eventId() == null ? event.withEventId(EventRules.newEventId()) : event);
            }
            batch.rejected().forEach(r -> assertTrue(r.reason() != null && !r.reason().isEmpty()));
        } catch (RequestRejected e) {
            assertTrue(DOCUMENTED.contains(e.status()), "undocumented status " + e.status() + ": " + e.getMessage());
        } catch (InvalidEventException e) {
            throw new AssertionError("an accepted event breaks the contract: " + e.getMessage(), e);
        }
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
