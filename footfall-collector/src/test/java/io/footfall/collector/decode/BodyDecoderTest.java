package io.footfall.collector.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Request bodies to events: every input form and every kind of bad input, by category. */
class BodyDecoderTest {

    static final long NOW = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();
    static final String EVENT = "{\"site\":\"shop.test\",\"type\":\"pageview\",\"url\":\"https://shop.test/\"}";
    static final Limits DEFAULTS = new Limits(32 * 1024, 500, 1024 * 1024, 100, Set.of());
    static final BodyDecoder DECODER = new BodyDecoder(DEFAULTS);

    static DecodedBatch decode(String body, String type) throws RequestRejected {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return DECODER.decode(bytes, bytes.length, type, null, NOW);
    }

    static RequestRejected refused(BodyDecoder decoder, byte[] body, String type, String encoding) {
        return assertThrows(RequestRejected.class, () -> decoder.decode(body, body.length, type, encoding, NOW));
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static List<String> lines(String resource) {
        try (InputStream in = BodyDecoderTest.class.getResourceAsStream("/cases/" + resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code \xNN} in a case file is one raw byte, so invalid UTF-8 can be written down. */
    static byte[] unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] utf8 = text.replace("\\n", "\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < utf8.length; i++) {
            if (utf8[i] == '\\' && i + 3 < utf8.length && utf8[i + 1] == 'x') {
                out.write(Integer.parseInt(new String(utf8, i + 2, 2, StandardCharsets.US_ASCII), 16));
                i += 3;
            } else {
                out.write(utf8[i]);
            }
        }
        return out.toByteArray();
    }

    @Nested
    class EventFields {
        static Stream<Arguments> invalidEvents() {
            return lines("invalid-events.tsv").stream().map(l -> l.split("\t", 2)).map(p -> Arguments.of(p[0], p[1]));
        }

        @ParameterizedTest(name = "{0}: {1}")
        @MethodSource("invalidEvents")
        void invalidEventIsRejectedWithItsReasonAndKeptForFootfallBad(String reason, String event) throws RequestRejected {
            // In an array, so one bad event is judged alone and its neighbour still gets through.
            DecodedBatch batch = decode("[" + EVENT + "," + event + "]", "application/json");
            assertEquals(1, batch.accepted().size(), "the valid neighbour is accepted");
            assertEquals(1, batch.rejected().size());
            DecodedBatch.Rejection r = batch.rejected().get(0);
            assertEquals(reason, r.reason(), r.detail());
            assertEquals(1, r.index());
            assertEquals(event, r.payload(), "the original text goes to footfall.bad");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("validLines")
        void validEventIsAccepted(String event) throws RequestRejected {
            DecodedBatch batch = decode(event, "application/json");
            assertEquals(List.of(), batch.rejected());
            assertEquals(1, batch.accepted().size());
        }

        static Stream<String> validLines() {
            return lines("valid-events.ndjson").stream();
        }

        @Test
        void propsAreKeptAsCompactJson() throws RequestRejected {
            DecodedBatch batch = decode("{\"site\":\"shop.test\",\"type\":\"event\",\"name\":\"buy\","
                    + "\"props\": { \"plan\" : \"pro\", \"n\": 3 }}", "application/json");
            assertEquals("{\"plan\":\"pro\",\"n\":3}", batch.accepted().get(0).props());
        }

        @Test
        void eventIdIsLowerCased() throws RequestRejected {
            DecodedBatch batch = decode("{\"site\":\"shop.test\",\"type\":\"pageview\","
                    + "\"event_id\":\"123E4567-E89B-12D3-A456-426614174000\"}", "application/json");
            assertEquals("123e4567-e89b-12d3-a456-426614174000", batch.accepted().get(0).eventId());
        }
    }

    @Nested
    class MalformedBodies {
        static Stream<Arguments> bodies() {
            return lines("malformed-bodies.tsv").stream().map(l -> l.split("\t", 4))
                    .map(p -> Arguments.of(Integer.parseInt(p[0]), p[1], p[2], p.length > 3 ? p[3] : ""));
        }

        @ParameterizedTest(name = "{0} {1}: {3}")
        @MethodSource("bodies")
        void unreadableBodyIsRefusedAsAWhole(int status, String error, String type, String body) {
            RequestRejected e = refused(DECODER, unescape(body), type, null);
            assertEquals(status, e.status(), e.getMessage());
            assertEquals(error, e.error(), e.getMessage());
        }
    }

    @Nested
    class Ndjson {
        @Test
        void oneBrokenLineIsRejectedAndTheRestAccepted() throws RequestRejected {
            DecodedBatch batch = decode(EVENT + "\n{\"site\":\n" + EVENT + "\n", "application/x-ndjson");
            assertEquals(2, batch.accepted().size());
            assertEquals(1, batch.rejected().get(0).index());
            assertEquals("invalid_json", batch.rejected().get(0).reason());
            assertEquals("{\"site\":", batch.rejected().get(0).payload());
        }

        @ParameterizedTest(name = "broken line at {0} of 10")
        @ValueSource(ints = {0, 1, 5, 9})
        void brokenLineAnywhereIsIndexedCorrectly(int broken) throws RequestRejected {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                body.append(i == broken ? "{oops" : EVENT).append('\n');
            }
            DecodedBatch batch = decode(body.toString(), "application/x-ndjson");
            assertEquals(9, batch.accepted().size());
            assertEquals(broken, batch.rejected().get(0).index());
        }

        @ParameterizedTest(name = "line ending {index}")
        @ValueSource(strings = {"\n", "\r\n", "\n\n", "\n \n"})
        void lineEndingsAndBlankLinesAreTolerated(String separator) throws RequestRejected {
            assertEquals(3, decode(EVENT + separator + EVENT + separator + EVENT, "application/x-ndjson").accepted().size());
        }

        @Test
        void twoEventsOnOneLineRejectThatLine() throws RequestRejected {
            DecodedBatch batch = decode(EVENT + EVENT + "\n" + EVENT, "application/x-ndjson");
            assertEquals(1, batch.accepted().size());
            assertEquals("invalid_json", batch.rejected().get(0).reason());
        }

        @Test
        void deepLineIsAJsonLimitRejectionNotTheWholeBody() throws RequestRejected {
            DecodedBatch batch = decode(EVENT + "\n" + "[".repeat(50) + "]".repeat(50), "application/x-ndjson");
            assertEquals(1, batch.accepted().size());
            assertEquals("json_limit", batch.rejected().get(0).reason());
        }

        @ParameterizedTest(name = "invalid UTF-8 line {index}")
        @ValueSource(strings = {"\\xff", "\\xc3\\x28", "\\xed\\xa0\\x80"})
        void invalidUtf8OnOneLineRejectsOnlyThatLine(String bytes) throws RequestRejected {
            byte[] body = unescape(EVENT + "\\n{\"site\":\"a" + bytes + "\",\"type\":\"pageview\"}\\n" + EVENT);
            DecodedBatch batch = DECODER.decode(body, body.length, "application/x-ndjson", null, NOW);
            assertEquals(2, batch.accepted().size());
            assertEquals("invalid_json", batch.rejected().get(0).reason());
        }
    }

    @Nested
    class Gzip {
        @Test
        void gzipBodyIsInflated() throws RequestRejected {
            byte[] body = gzip(("[" + EVENT + "," + EVENT + "]").getBytes(StandardCharsets.UTF_8));
            assertEquals(2, DECODER.decode(body, body.length, "application/json", "gzip", NOW).accepted().size());
        }

        @ParameterizedTest(name = "Content-Encoding: {0}")
        @ValueSource(strings = {"gzip", "GZIP", " gzip "})
        void encodingNameIsCaseInsensitive(String encoding) throws RequestRejected {
            byte[] body = gzip(EVENT.getBytes(StandardCharsets.UTF_8));
            assertEquals(1, DECODER.decode(body, body.length, null, encoding, NOW).accepted().size());
        }

        static IntStream cutPoints() {
            return IntStream.of(0, 1, 2, 5, 9, 10, 15, 20, 30, -8, -4, -1);
        }

        @ParameterizedTest(name = "truncated at {0}")
        @MethodSource("cutPoints")
        void truncatedGzipIs400(int cut) {
            byte[] full = gzip(("[" + EVENT + "," + EVENT + "]").getBytes(StandardCharsets.UTF_8));
            byte[] body = Arrays.copyOf(full, cut >= 0 ? cut : full.length + cut);
            RequestRejected e = refused(DECODER, body, "application/json", "gzip");
            assertEquals(400, e.status());
            assertTrue(e.error().equals("invalid_gzip") || e.error().equals("empty_body"), e.error());
        }

        @ParameterizedTest(name = "not gzip: {0}")
        @ValueSource(strings = {"{\"site\":\"shop.test\"}", "\\x1f\\x8b\\x00\\x00garbage", "\\x1f\\x8b\\x08\\x00\\x00\\x00\\x00\\x00\\x00\\x03\\xff\\xff\\xff"})
        void invalidGzipIs400(String body) {
            RequestRejected e = refused(DECODER, unescape(body), "application/json", "gzip");
            assertEquals(400, e.status());
            assertEquals("invalid_gzip", e.error());
        }

        @Test
        void corruptedCrcIs400() {
            byte[] body = gzip(EVENT.getBytes(StandardCharsets.UTF_8));
            body[body.length - 6] ^= 0x55;
            assertEquals("invalid_gzip", refused(DECODER, body, "application/json", "gzip").error());
        }

        @Test
        void gzipBombIsCutOffWhileInflating() {
            // 100 MB of zeros compress to ~100 KB: ratio ~1000:1.
            byte[] bomb = gzip(new byte[100 * 1024 * 1024]);
            Runtime rt = Runtime.getRuntime();
            RequestRejected e = refused(DECODER, bomb, "application/json", "gzip");
            assertEquals(413, e.status());
            assertTrue(e.error().equals("compression_ratio") || e.error().equals("body_too_large"), e.error());
            assertTrue(rt.totalMemory() - rt.freeMemory() < 400L * 1024 * 1024, "the bomb was never inflated whole");
        }

        @Test
        void ratioAboveTheLimitIs413EvenUnderTheSizeLimit() {
            byte[] body = gzip(("[" + EVENT + "]" + " ".repeat(200_000)).getBytes(StandardCharsets.UTF_8));
            RequestRejected e = refused(DECODER, body, "application/json", "gzip");
            assertEquals(413, e.status());
            assertEquals("compression_ratio", e.error());
        }

        @Test
        void inflatedSizeAboveTheLimitIs413() {
            BodyDecoder small = new BodyDecoder(new Limits(32 * 1024, 500, 4096, 100_000, Set.of()));
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < 100; i++) {
                body.append(i == 0 ? "" : ",").append(EVENT);
            }
            byte[] gz = gzip(body.append(']').toString().getBytes(StandardCharsets.UTF_8));
            RequestRejected e = refused(small, gz, "application/json", "gzip");
            assertEquals("body_too_large", e.error());
        }

        @Test
        void concatenatedGzipMembersAreOneBody() throws RequestRejected {
            byte[] a = gzip((EVENT + "\n").getBytes(StandardCharsets.UTF_8));
            byte[] b = gzip(EVENT.getBytes(StandardCharsets.UTF_8));
            byte[] body = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, body, a.length, b.length);
            assertEquals(2, DECODER.decode(body, body.length, "application/x-ndjson", "gzip", NOW).accepted().size());
        }
    }

    @Nested
    class Limits_ {
        @ParameterizedTest(name = "nesting depth {0}")
        @ValueSource(ints = {9, 10, 20, 100, 1000, 10_000})
        void nestingDeeperThanTheLimitIs400(int depth) {
            String body = "[" + "{\"site\":\"shop.test\",\"type\":\"pageview\",\"x\":".repeat(1)
                    + "[".repeat(depth) + "]".repeat(depth) + "}]";
            RequestRejected e = refused(DECODER, body.getBytes(StandardCharsets.UTF_8), "application/json", null);
            assertEquals("json_limit", e.error());
        }

        @ParameterizedTest(name = "nesting depth {0} inside an unknown field is fine")
        @ValueSource(ints = {1, 3, 6})
        void shallowNestingIsFine(int depth) throws RequestRejected {
            String body = "[{\"site\":\"shop.test\",\"type\":\"pageview\",\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}]";
            assertEquals(1, decode(body, "application/json").accepted().size());
        }

        @Test
        void tenMegabyteStringIsRefusedByTheStringLimit() {
            BodyDecoder big = new BodyDecoder(new Limits(32 * 1024 * 1024, 500, 64 * 1024 * 1024, 100, Set.of()));
            String body = "{\"site\":\"shop.test\",\"type\":\"pageview\",\"title\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";
            RequestRejected e = refused(big, body.getBytes(StandardCharsets.UTF_8), "application/json", null);
            assertEquals("json_limit", e.error());
        }

        @ParameterizedTest(name = "title of {0} chars")
        @ValueSource(ints = {1025, 5000, 30_000})
        void overlongFieldIsAnEventRejection(int chars) throws RequestRejected {
            DecodedBatch batch = decode("[{\"site\":\"shop.test\",\"type\":\"pageview\",\"title\":\"" + "t".repeat(chars) + "\"}]",
                    "application/json");
            assertEquals("invalid_title", batch.rejected().get(0).reason());
        }

        @Test
        void eventLargerThanTheEventLimitIsRejected() throws RequestRejected {
            BodyDecoder small = new BodyDecoder(new Limits(300, 500, 1024 * 1024, 100, Set.of()));
            byte[] body = ("[" + EVENT + ",{\"site\":\"shop.test\",\"type\":\"pageview\",\"junk\":\"" + "j".repeat(400) + "\"}]")
                    .getBytes(StandardCharsets.UTF_8);
            DecodedBatch batch = small.decode(body, body.length, "application/json", null, NOW);
            assertEquals(1, batch.accepted().size());
            assertEquals("event_too_large", batch.rejected().get(0).reason());
        }

        @ParameterizedTest(name = "{0} events")
        @ValueSource(ints = {500, 501, 1000})
        void atMost500EventsPerRequest(int count) throws RequestRejected {
            String array = "[" + String.join(",", java.util.Collections.nCopies(count, EVENT)) + "]";
            String ndjson = String.join("\n", java.util.Collections.nCopies(count, EVENT));
            if (count <= 500) {
                assertEquals(count, decode(array, "application/json").accepted().size());
                assertEquals(count, decode(ndjson, "application/x-ndjson").accepted().size());
            } else {
                assertEquals("too_many_events", refused(DECODER, array.getBytes(StandardCharsets.UTF_8), "application/json", null).error());
                assertEquals(413, refused(DECODER, ndjson.getBytes(StandardCharsets.UTF_8), "application/x-ndjson", null).status());
            }
        }

        @ParameterizedTest(name = "number of {0} digits")
        @ValueSource(ints = {41, 100, 1000})
        void hugeNumberIsAJsonLimit(int digits) {
            String body = "{\"site\":\"shop.test\",\"type\":\"pageview\",\"ts\":" + "9".repeat(digits) + "}";
            assertEquals("json_limit", refused(DECODER, body.getBytes(StandardCharsets.UTF_8), "application/json", null).error());
        }

        @Test
        void siteAllowlistRejectsOtherSites() throws RequestRejected {
            BodyDecoder only = new BodyDecoder(new Limits(32 * 1024, 500, 1024 * 1024, 100, Set.of("shop.test")));
            byte[] body = ("[" + EVENT + "," + EVENT.replace("shop.test\",", "evil.test\",") + "]").getBytes(StandardCharsets.UTF_8);
            DecodedBatch batch = only.decode(body, body.length, "application/json", null, NOW);
            assertEquals(1, batch.accepted().size());
            assertEquals(BodyDecoder.UNKNOWN_SITE, batch.rejected().get(0).reason());
        }
    }

    @Test
    void caseFilesHoldEnoughCases() {
        List<String> all = new ArrayList<>(lines("invalid-events.tsv"));
        all.addAll(lines("valid-events.ndjson"));
        all.addAll(lines("malformed-bodies.tsv"));
        assertTrue(all.size() >= 130, "case files shrank: " + all.size());
    }
}
