package io.footfall.collector.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.collector.produce.EventSink;
import io.footfall.core.event.RawEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The collector over its real Netty pipeline: bytes in, status codes, headers and bodies out. */
class CollectorPipelineTest {

    static final String EVENT = "{\"site\":\"shop.test\",\"type\":\"pageview\",\"url\":\"https://shop.test/a\"}";

    static Wire wire() {
        return new Wire(Map.of());
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    @Nested
    class InputForms {
        @Test
        void oneJsonObjectIsAcceptedWithReceiptFacts() {
            Wire w = wire();
            w.send(Wire.post("/v1/events", "application/json", EVENT.getBytes(StandardCharsets.UTF_8),
                    "User-Agent: Mozilla/5.0 test\r\n"));
            Wire.Response r = w.only();
            assertEquals(202, r.status());
            assertEquals("{\"accepted\":1,\"rejected\":[]}", r.text());
            RawEvent e = w.sink.events.get(0);
            assertEquals("203.0.113.0", e.clientIp(), "the client's network (/24), never its full address");
            assertEquals("Mozilla/5.0 test", e.userAgent());
            assertEquals(Wire.NOW, e.receivedAt());
            assertNotNull(e.eventId(), "the collector assigns an event id");
        }

        @Test
        void jsonArrayIsAccepted() {
            Wire w = wire();
            w.send(Wire.post("/v1/events", "application/json", "[" + EVENT + "," + EVENT + "," + EVENT + "]"));
            assertEquals("{\"accepted\":3,\"rejected\":[]}", w.only().text());
            assertEquals(3, w.sink.events.size());
        }

        @Test
        void ndjsonWithOneBrokenLineAcceptsTheRestAndRecordsTheBrokenOne() {
            Wire w = wire();
            w.send(Wire.post("/v1/events", "application/x-ndjson", EVENT + "\n{\"site\":\"shop.test\",\"type\":\n" + EVENT + "\n"));
            Wire.Response r = w.only();
            assertEquals(202, r.status());
            assertTrue(r.text().startsWith("{\"accepted\":2,\"rejected\":[{\"index\":1,\"error\":\"invalid_json\""), r.text());
            assertEquals(2, w.sink.events.size());
            assertEquals(1, w.sink.bad.size());
            assertEquals("invalid_json", w.sink.bad.get(0).reason());
            assertEquals("{\"site\":\"shop.test\",\"type\":", w.sink.bad.get(0).payload());
            assertEquals(1.0, w.counter("footfall.collector.events.rejected", "reason", "invalid_json"));
        }

        @Test
        void gzipNdjsonIsInflated() {
            Wire w = wire();
            byte[] body = gzip((EVENT + "\n" + EVENT).getBytes(StandardCharsets.UTF_8));
            w.send(Wire.post("/v1/events", "application/x-ndjson", body, "Content-Encoding: gzip\r\n"));
            assertEquals("{\"accepted\":2,\"rejected\":[]}", w.only().text());
        }

        @Test
        void sendBeaconTextPlainIsAccepted() {
            Wire w = wire();
            w.send(Wire.post("/v1/events", "text/plain;charset=UTF-8", "[" + EVENT + "]"));
            assertEquals(202, w.only().status());
            assertEquals(1, w.sink.events.size());
        }

        @Test
        void aServerMayNameTheVisitorsUserAgentInTheEvent() {
            Wire w = wire();
            w.send(Wire.post("/v1/events", "application/json", ("[{\"site\":\"shop.test\",\"type\":\"pageview\","
                    + "\"url\":\"https://shop.test/\",\"user_agent\":\"Mozilla/5.0 (visitor)\"}," + EVENT + "]")
                    .getBytes(StandardCharsets.UTF_8), "User-Agent: footfall-client/1\r\n"));
            assertEquals(202, w.only().status());
            assertEquals("Mozilla/5.0 (visitor)", w.sink.events.get(0).userAgent(), "the event's own");
            assertEquals("footfall-client/1", w.sink.events.get(1).userAgent(), "else the request's");
        }

        @Test
        void pixelAnswersAGifThatIsNeverCached() {
            Wire w = wire();
            w.send(Wire.request("GET", "/v1/p.gif?site=shop.test&url=https%3A%2F%2Fshop.test%2Fx&ref=https%3A%2F%2Fsearch.test%2F",
                    "User-Agent: pixel-ua\r\n"));
            Wire.Response r = w.only();
            assertEquals(200, r.status());
            assertEquals("image/gif", r.header("Content-Type"));
            assertTrue(r.header("Cache-Control").contains("no-store"));
            assertEquals("no-cache", r.header("Pragma"));
            assertEquals(43, r.body().length);
            assertEquals("GIF89a", new String(r.body(), 0, 6, StandardCharsets.US_ASCII));
            RawEvent e = w.sink.events.get(0);
            assertEquals("https://shop.test/x", e.url());
            assertEquals("https://search.test/", e.referrer());
            assertEquals("pixel-ua", e.userAgent());
        }

        @Test
        void headOfThePixelAnswersItsHeadersAndRecordsNothing() {
            Wire w = wire();
            w.send(Wire.request("HEAD", "/v1/p.gif?site=shop.test&url=https%3A%2F%2Fshop.test%2Fx", ""));
            String raw = new String(w.outbound(), StandardCharsets.ISO_8859_1);
            assertTrue(raw.startsWith("HTTP/1.1 200 OK\r\n"), raw);
            assertTrue(raw.contains("content-type: image/gif\r\n"), raw);
            assertTrue(raw.contains("content-length: 43\r\n"), "the GET's length, as HEAD must: " + raw);
            assertTrue(raw.endsWith("\r\n\r\n"), "no body after the headers: " + raw);
            assertEquals(0, w.sink.events.size(), "a HEAD is not a page view");
            assertEquals(0, w.sink.bad.size());
        }

        @Test
        void pixelWithoutSiteIsA400AndRecorded() {
            Wire w = wire();
            w.send(Wire.request("GET", "/v1/p.gif?url=https%3A%2F%2Fshop.test%2F", ""));
            Wire.Response r = w.only();
            assertEquals(400, r.status());
            assertTrue(r.text().contains("\"error\":\"missing_site\""), r.text());
            assertEquals("missing_site", w.sink.bad.get(0).reason());
        }

        @Test
        void mixedBatchAnswersEachRejectedIndex() {
            Wire w = wire();
            w.send(Wire.post("/v1/events", "application/json",
                    "[" + EVENT + ",{\"type\":\"pageview\"}," + EVENT + ",{\"site\":\"shop.test\",\"type\":\"click\"}]"));
            String body = w.only().text();
            assertTrue(body.startsWith("{\"accepted\":2,\"rejected\":[{\"index\":1,\"error\":\"missing_site\""), body);
            assertTrue(body.contains("{\"index\":3,\"error\":\"invalid_type\""), body);
            assertEquals(2, w.sink.bad.size());
        }

        @Test
        void keepAliveConnectionServesRequestsInOrder() {
            Wire w = wire();
            String one = Wire.post("/v1/events", "application/json", EVENT);
            String two = Wire.request("GET", "/health/live", "");
            w.send(one + two + one);
            var all = w.responses();
            assertEquals(3, all.size());
            assertEquals(202, all.get(0).status());
            assertEquals(200, all.get(1).status());
            assertEquals(202, all.get(2).status());
            assertTrue(w.open());
        }

        /** An HTTP/1.0 client that asks to keep the connection is told it stays; one that does not is closed. */
        @Test
        void anHttp10ClientIsToldTheConnectionStays() {
            Wire w = wire();
            w.send("GET /health/live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Wire.Response kept = w.only();
            assertEquals(200, kept.status());
            assertEquals("keep-alive", kept.header("Connection"));
            assertTrue(w.open());

            Wire plain = wire();
            plain.send("GET /health/live HTTP/1.0\r\n\r\n");
            assertEquals(200, plain.only().status());
            assertFalse(plain.open());

            Wire eleven = wire();
            eleven.send(Wire.request("GET", "/health/live", ""));
            assertNull(eleven.only().header("Connection"), "HTTP/1.1 keeps connections without saying so");
        }

        @Test
        void answersWaitForTheBrokerAndPipelinedRequestsWaitTheirTurn() {
            Wire w = wire();
            w.sink.held = new ArrayList<>();
            w.send(Wire.post("/v1/events", "application/json", EVENT) + Wire.request("GET", "/health/live", ""));
            assertEquals(0, w.responses().size(), "no 202 before the broker acknowledges");
            w.sink.held.remove(0).run();
            var all = w.responses();
            assertEquals(2, all.size());
            assertEquals(202, all.get(0).status());
            assertEquals(200, all.get(1).status());
        }
    }

    @Nested
    class ClientAddressAndProxies {
        @Test
        void forwardedForFromAnUntrustedPeerIsIgnored() {
            Wire w = wire();
            w.send(Wire.post("/v1/events", "application/json", EVENT.getBytes(StandardCharsets.UTF_8),
                    "X-Forwarded-For: 198.51.100.1\r\n"));
            assertEquals("203.0.113.0", w.sink.events.get(0).clientIp());
        }

        @Test
        void forwardedForFromATrustedProxyNamesTheClient() {
            Wire w = new Wire(Map.of("collector.trustedProxies", "10.0.0.0/8"), new InetSocketAddress("10.1.2.3", 40000));
            w.send(Wire.post("/v1/events", "application/json", EVENT.getBytes(StandardCharsets.UTF_8),
                    "X-Forwarded-For: 1.1.1.1, 198.51.100.1, 10.9.9.9\r\n"));
            assertEquals("198.51.100.0", w.sink.events.get(0).clientIp(),
                    "the rightmost address not added by a trusted proxy; the leftmost could be forged");
        }

        @Test
        void anIpv6PeerIsKeptAsItsSlash48() {
            Wire w = new Wire(Map.of(), new InetSocketAddress("2001:db8:1:2::7", 40000));
            w.send(Wire.post("/v1/events", "application/json", EVENT));
            assertEquals("2001:db8:1:0:0:0:0:0", w.sink.events.get(0).clientIp());
        }

        @Test
        void noForwardedForFromATrustedProxyKeepsThePeer() {
            Wire w = new Wire(Map.of("collector.trustedProxies", "10.0.0.0/8"), new InetSocketAddress("10.1.2.3", 40000));
            w.send(Wire.post("/v1/events", "application/json", EVENT));
            assertEquals("10.1.2.0", w.sink.events.get(0).clientIp());
        }
    }

    @Nested
    class MethodsAndRoutes {
        static Stream<Arguments> wrongMethods() {
            return Stream.of(
                    Arguments.of("GET", "/v1/events", "POST, OPTIONS"),
                    Arguments.of("PUT", "/v1/events", "POST, OPTIONS"),
                    Arguments.of("DELETE", "/v1/events", "POST, OPTIONS"),
                    Arguments.of("PATCH", "/v1/events", "POST, OPTIONS"),
                    Arguments.of("TRACE", "/v1/events", "POST, OPTIONS"),
                    Arguments.of("POST", "/v1/p.gif", "GET, HEAD"),
                    Arguments.of("PUT", "/v1/p.gif", "GET, HEAD"),
                    Arguments.of("POST", "/footfall.js", "GET, HEAD"),
                    Arguments.of("DELETE", "/footfall.js", "GET, HEAD"),
                    Arguments.of("POST", "/health/live", "GET, HEAD"),
                    Arguments.of("POST", "/health/ready", "GET, HEAD"),
                    Arguments.of("PUT", "/metrics", "GET, HEAD"));
        }

        @ParameterizedTest(name = "{0} {1} → 405 Allow: {2}")
        @MethodSource("wrongMethods")
        void wrongMethodIs405WithAllow(String method, String path, String allow) {
            Wire w = wire();
            w.send(Wire.request(method, path, "Content-Length: 0\r\n"));
            Wire.Response r = w.responses().get(0);
            assertEquals(405, r.status());
            assertEquals(allow, r.header("Allow"));
            assertTrue(r.text().contains("\"error\":\"method_not_allowed\""), r.text());
        }

        @ParameterizedTest(name = "GET {0} → 404")
        @ValueSource(strings = {"/", "/v1", "/v1/event", "/v2/events", "/footfall.min.js", "/../etc/passwd", "/health"})
        void unknownPathIs404Json(String path) {
            Wire w = wire();
            w.send(Wire.request("GET", path, ""));
            Wire.Response r = w.only();
            assertEquals(404, r.status());
            assertEquals("application/json", r.header("Content-Type"));
            assertEquals("{\"error\":\"not_found\",\"detail\":\"no such resource\"}", r.text());
        }

        @Test
        void corsPreflightAllowsAnyOriginWithoutCredentials() {
            Wire w = wire();
            w.send(Wire.request("OPTIONS", "/v1/events", "Origin: https://shop.test\r\nAccess-Control-Request-Method: POST\r\n"));
            Wire.Response r = w.only();
            assertEquals(204, r.status());
            assertEquals("*", r.header("Access-Control-Allow-Origin"));
            assertTrue(r.header("Access-Control-Allow-Methods").contains("POST"));
            assertNull(r.header("Access-Control-Allow-Credentials"));
        }

        @ParameterizedTest(name = "{0} {1} carries nosniff and CORS")
        @CsvSource({"GET,/health/live", "GET,/v1/events", "GET,/nope", "GET,/footfall.js", "OPTIONS,/v1/events", "GET,/metrics",
                "GET,/v1/p.gif?site=shop.test&url=https%3A%2F%2Fshop.test%2F"})
        void everyResponseCarriesSecurityHeaders(String method, String path) {
            Wire w = wire();
            w.send(Wire.request(method, path, ""));
            Wire.Response r = w.only();
            assertEquals("nosniff", r.header("X-Content-Type-Options"));
            assertEquals("*", r.header("Access-Control-Allow-Origin"));
            assertEquals("cross-origin", r.header("Cross-Origin-Resource-Policy"), "loadable by a page with COEP require-corp");
        }
    }

    @Nested
    class ContentTypesAndEncodings {
        @ParameterizedTest(name = "Content-Type {0} → 415")
        @ValueSource(strings = {"application/xml", "text/html", "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded", "image/png", "application/octet-stream", "text/csv"})
        void unsupportedContentTypeIs415(String type) {
            Wire w = wire();
            w.send(Wire.post("/v1/events", type, EVENT));
            Wire.Response r = w.only();
            assertEquals(415, r.status());
            assertTrue(r.text().contains("\"error\":\"unsupported_media_type\""));
            assertTrue(w.sink.events.isEmpty());
        }

        @ParameterizedTest(name = "Content-Type {0} → 202")
        @ValueSource(strings = {"application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
                "text/plain", "text/plain;charset=UTF-8", "application/x-ndjson", "application/ndjson"})
        void supportedContentTypeIsAccepted(String type) {
            Wire w = wire();
            w.send(Wire.post("/v1/events", type, EVENT));
            assertEquals(202, w.only().status());
        }

        @ParameterizedTest(name = "Content-Encoding {0} → 415")
        @ValueSource(strings = {"br", "deflate", "compress", "zstd", "gzip, br"})
        void unsupportedEncodingIs415(String encoding) {
            Wire w = wire();
            w.send(Wire.post("/v1/events", "application/json", EVENT.getBytes(StandardCharsets.UTF_8),
                    "Content-Encoding: " + encoding + "\r\n"));
            assertEquals(415, w.only().status());
        }
    }

    @Nested
    class SizesAndHeaders {
        @ParameterizedTest(name = "Content-Length: {0} → {1}")
        @CsvSource({
                "1048577, 413", "99999999, 413", "2147483647, 413", "9223372036854775807, 413",
                "99999999999999999999999, 400", "-1, 400", "abc, 400", "'1, 2', 400", "0x10, 400"})
        void absurdContentLengthIsRefusedBeforeAnyBody(String length, int status) {
            Wire w = wire();
            w.send("POST /v1/events HTTP/1.1\r\nHost: c\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n");
            Wire.Response r = w.responses().get(0);
            assertEquals(status, r.status());
            assertTrue(r.text().startsWith("{\"error\":"), r.text());
            assertFalse(w.open(), "the connection is closed");
        }

        @ParameterizedTest(name = "{0} with Content-Length {1} → {2}")
        @CsvSource({"100-continue, 5000000, 413, body_too_large", "something-else, 10, 417, expectation_failed"})
        void refusedExpectationIsAJsonAnswerAndCloses(String expect, int length, int status, String reason) {
            Wire w = wire();
            w.send("POST /v1/events HTTP/1.1\r\nHost: c\r\nContent-Type: application/json\r\nExpect: " + expect
                    + "\r\nContent-Length: " + length + "\r\n\r\n");
            Wire.Response r = w.only();
            assertEquals(status, r.status());
            assertTrue(r.text().startsWith("{\"error\":\"" + reason + "\""), r.text());
            assertFalse(w.open());
            assertEquals(1.0, w.counter("footfall.collector.events.rejected", "reason", reason), "counted by reason");
        }

        @Test
        void acceptedExpectationGets100ContinueThenTheAnswer() {
            Wire w = wire();
            w.send("POST /v1/events HTTP/1.1\r\nHost: c\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                    + "Content-Length: " + EVENT.length() + "\r\n\r\n");
            w.send(EVENT);
            var all = w.responses();
            assertEquals(100, all.get(0).status());
            assertEquals(202, all.get(1).status());
        }

        @Test
        void bodyStreamedBeyondTheLimitIs413() {
            Wire w = new Wire(Map.of("collector.maxRequestBytes", "2kb"));
            StringBuilder chunked = new StringBuilder("POST /v1/events HTTP/1.1\r\nHost: c\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: application/json\r\n\r\n");
            for (int i = 0; i < 5; i++) {
                chunked.append("400\r\n").append("x".repeat(1024)).append("\r\n");
            }
            w.send(chunked + "0\r\n\r\n");
            assertEquals(413, w.responses().get(0).status());
            assertFalse(w.open());
        }

        @ParameterizedTest(name = "{0} headers of {1} bytes → 431")
        @CsvSource({"1, 20000", "100, 200", "1000, 20", "5000, 1"})
        void headerFloodIs431(int count, int size) {
            Wire w = wire();
            StringBuilder headers = new StringBuilder();
            for (int i = 0; i < count; i++) {
                headers.append("X-H").append(i).append(": ").append("v".repeat(size)).append("\r\n");
            }
            w.send(Wire.request("GET", "/health/live", headers.toString()));
            Wire.Response r = w.responses().get(0);
            assertEquals(431, r.status());
            assertTrue(r.text().contains("headers_too_large"));
            assertFalse(w.open());
        }

        @Test
        void overlongRequestLineIs414() {
            Wire w = wire();
            w.send(Wire.request("GET", "/v1/p.gif?site=" + "a".repeat(9000), ""));
            assertEquals(414, w.responses().get(0).status());
        }

        @ParameterizedTest(name = "garbage request {index} → 400")
        @ValueSource(strings = {"\u0000\u0001\u0002\r\n\r\n", "GET\r\n\r\n", "HELLO WORLD\r\n\r\n",
                "GET / HTTP/9.9\r\n\r\n", "GET / HTTP/1.1\r\nNo-Colon-Header\r\n\r\n"})
        void garbageIs400(String raw) {
            Wire w = wire();
            w.send(raw);
            Wire.Response r = w.responses().get(0);
            assertEquals(400, r.status());
            assertTrue(r.text().contains("malformed_request"), r.text());
        }
    }

    @Nested
    class Timeouts {
        @Test
        void headersDrippedSlowerThanTheReadTimeoutAre408AndClosed() {
            Wire w = wire();
            w.send("POST /v1/events HTTP/1.1\r\n");
            for (int i = 0; i < 9; i++) {
                w.advance(1000);
                w.send("X-Drip-" + i + ": 1\r\n");
                assertTrue(w.open(), "still within 10 s");
            }
            w.advance(1001);
            assertEquals(408, w.only().status());
            assertFalse(w.open());
        }

        @Test
        void bodyDrippedSlowerThanTheReadTimeoutIs408AndClosed() {
            Wire w = wire();
            w.send("POST /v1/events HTTP/1.1\r\nHost: c\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
            for (int i = 0; i < 5; i++) {
                w.advance(1900);
                w.send(" ");
            }
            w.advance(600);
            Wire.Response r = w.only();
            assertEquals(408, r.status());
            assertTrue(r.text().contains("request_timeout"));
            assertFalse(w.open());
            assertTrue(w.sink.events.isEmpty());
        }

        @Test
        void readTimeoutIsConfigurable() {
            Wire w = new Wire(Map.of("collector.readTimeout", "500ms"));
            w.send("GET /health/live HTTP/1.1\r\n");
            w.advance(499);
            assertTrue(w.open());
            w.advance(2);
            assertFalse(w.open());
        }

        @Test
        void idleConnectionIsClosedAfterTheIdleTimeout() {
            Wire w = wire();
            w.send(Wire.request("GET", "/health/live", ""));
            assertEquals(200, w.only().status());
            w.advance(29_000);
            assertTrue(w.open(), "a kept-alive connection may idle 30 s");
            w.advance(1_001);
            assertFalse(w.open());
        }

        @Test
        void connectionThatNeverSendsIsClosedAfterTheIdleTimeout() {
            Wire w = wire();
            w.advance(30_001);
            assertFalse(w.open());
            assertTrue(w.responses().isEmpty());
        }

        @Test
        void waitingForTheBrokerIsNotAReadTimeout() {
            Wire w = wire();
            w.sink.held = new ArrayList<>();
            w.send(Wire.post("/v1/events", "application/json", EVENT));
            w.advance(20_000);
            assertTrue(w.open(), "the producer's delivery timeout bounds this wait, not the read timeout");
            w.sink.held.remove(0).run();
            assertEquals(202, w.only().status());
        }
    }

    @Nested
    class Backpressure {
        @ParameterizedTest(name = "{0} → 503 with Retry-After")
        @CsvSource({"OVERLOADED, overloaded", "UNAVAILABLE, stream_unavailable"})
        void refusedPublishIs503WithRetryAfter(EventSink.Outcome outcome, String error) {
            Wire w = wire();
            w.sink.outcome = outcome;
            w.send(Wire.post("/v1/events", "application/json", EVENT));
            Wire.Response r = w.only();
            assertEquals(503, r.status());
            assertEquals("1", r.header("Retry-After"));
            assertTrue(r.text().contains("\"error\":\"" + error + "\""));
            assertEquals(1.0, w.counter("footfall.collector.unavailable"));
        }

        @Test
        void bodiesBeyondTheSharedBufferBudgetAre503() {
            Wire w = new Wire(Map.of("collector.maxBufferedBodyBytes", "1mb"));
            String head = "POST /v1/events HTTP/1.1\r\nHost: c\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n";
            w.send(head + "[" + " ".repeat(600 * 1024));
            assertTrue(w.open(), "600 KB buffered on one connection: inside the budget");
            var other = w.anotherConnection();
            other.writeInbound(io.netty.buffer.Unpooled.copiedBuffer(head + " ".repeat(500 * 1024), StandardCharsets.ISO_8859_1));
            other.runPendingTasks();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            io.netty.buffer.ByteBuf b;
            while ((b = other.readOutbound()) != null) {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                out.writeBytes(bytes);
                b.release();
            }
            Wire.Response r = Wire.Response.parseAll(out.toByteArray()).get(0);
            assertEquals(503, r.status());
            assertEquals("1", r.header("Retry-After"));
            assertTrue(r.text().contains("\"error\":\"overloaded\""));
            assertFalse(other.isOpen());
            assertTrue(w.open(), "the first upload carries on");
        }

        @Test
        void bufferBudgetIsReturnedWhenARequestCompletes() {
            Wire w = new Wire(Map.of("collector.maxBufferedBodyBytes", "1mb", "collector.maxRequestBytes", "1mb"));
            String body = "[" + EVENT + "]" + " ".repeat(700 * 1024);
            for (int i = 0; i < 3; i++) {
                w.send(Wire.post("/v1/events", "application/json", body));
            }
            assertEquals(java.util.List.of(202, 202, 202), w.responses().stream().map(Wire.Response::status).toList());
        }

        @Test
        void readinessFollowsTheSink() {
            Wire w = wire();
            w.send(Wire.request("GET", "/health/ready", ""));
            w.sink.ready = false;
            w.send(Wire.request("GET", "/health/ready", ""));
            var all = w.responses();
            assertEquals(200, all.get(0).status());
            assertEquals(503, all.get(1).status());
            assertEquals("1", all.get(1).header("Retry-After"));
            assertEquals(0.0, w.counter("footfall.collector.unavailable"), "a probe's 503 is not a request refused");
        }

        @Test
        void drainingRefusesNewEventsAndClosesTheConnectionAfterTheAnswer() {
            Wire w = wire();
            w.state.startDraining();
            w.send(Wire.post("/v1/events", "application/json", EVENT) + Wire.request("GET", "/health/ready", ""));
            Wire.Response r = w.only();
            assertEquals(503, r.status());
            assertTrue(r.text().contains("shutting_down"));
            assertEquals("close", r.header("Connection"));
            assertFalse(w.open(), "the pipelined request is not read: the connection closes after its answer");
            assertTrue(w.sink.events.isEmpty());
        }

        @Test
        void drainingTurnsReadinessOff() {
            Wire w = wire();
            w.state.startDraining();
            w.send(Wire.request("GET", "/health/ready", ""));
            assertEquals(503, w.only().status());
        }

        @Test
        void drainingClosesIdleConnectionsAfterAGraceButLetsABusyOneFinish() {
            Wire idle = wire();
            idle.send(Wire.request("GET", "/health/live", ""));
            idle.state.startDraining();
            idle.state.closeIdleConnections(java.time.Duration.ofSeconds(2));
            idle.settle();
            idle.advance(1_999);
            assertTrue(idle.open(), "a last request may still arrive within the grace");
            idle.advance(2);
            assertFalse(idle.open());

            Wire busy = wire();
            busy.sink.held = new ArrayList<>();
            busy.send(Wire.post("/v1/events", "application/json", EVENT));
            busy.state.startDraining();
            busy.state.closeIdleConnections(java.time.Duration.ofSeconds(2));
            busy.advance(5_000);
            assertTrue(busy.open(), "a request awaiting its ack is not cut off");
            busy.sink.held.remove(0).run();
            assertEquals(202, busy.only().status());
            assertFalse(busy.open());
        }
    }

    @Nested
    class RateLimitAndAllowlist {
        @Test
        void rateLimitIsOffByDefault() {
            Wire w = wire();
            for (int i = 0; i < 50; i++) {
                w.send(Wire.post("/v1/events", "application/json", EVENT));
            }
            assertTrue(w.responses().stream().allMatch(r -> r.status() == 202));
        }

        @Test
        void clientOverItsRateGets429WithRetryAfterUntilTokensRefill() {
            Wire w = new Wire(Map.of("collector.rateLimitPerSecond", "2", "collector.rateLimitBurst", "3"));
            for (int i = 0; i < 4; i++) {
                w.send(Wire.post("/v1/events", "application/json", EVENT));
            }
            var all = w.responses();
            assertEquals(202, all.get(2).status());
            assertEquals(429, all.get(3).status());
            assertEquals("1", all.get(3).header("Retry-After"));
            assertTrue(all.get(3).text().contains("\"error\":\"rate_limited\""));
            assertEquals(3, w.sink.events.size(), "a refused request publishes nothing");
            assertEquals(1.0, w.counter("footfall.collector.rate.limited"));
            w.limiterNanos.addAndGet(500_000_000L);
            w.send(Wire.post("/v1/events", "application/json", EVENT));
            assertEquals(202, w.responses().get(4).status());
        }

        @Test
        void unknownSiteIs403AndCountedButNotPublished() {
            Wire w = new Wire(Map.of("collector.allowedSites", "shop.test, blog.test"));
            w.send(Wire.post("/v1/events", "application/json", EVENT.replace("shop.test\",", "other.test\",")));
            Wire.Response r = w.only();
            assertEquals(403, r.status());
            assertTrue(r.text().contains("\"error\":\"unknown_site\""));
            assertTrue(w.sink.events.isEmpty() && w.sink.bad.isEmpty());
            assertEquals(1.0, w.counter("footfall.collector.events.rejected", "reason", "unknown_site"));
        }

        @Test
        void unknownSiteInsideABatchIsRejectedByIndex() {
            Wire w = new Wire(Map.of("collector.allowedSites", "shop.test"));
            w.send(Wire.post("/v1/events", "application/json", "[" + EVENT + "," + EVENT.replace("shop.test\",", "x.test\",") + "]"));
            Wire.Response r = w.only();
            assertEquals(202, r.status());
            assertTrue(r.text().contains("{\"index\":1,\"error\":\"unknown_site\""), r.text());
            assertEquals(1, w.sink.events.size());
        }
    }

    @Nested
    class Tracker {
        @Test
        void scriptIsServedWithEtagAndCacheHeaders() {
            Wire w = wire();
            w.send(Wire.request("GET", "/footfall.js", ""));
            Wire.Response r = w.only();
            assertEquals(200, r.status());
            assertEquals("text/javascript; charset=utf-8", r.header("Content-Type"));
            assertEquals("public, max-age=3600", r.header("Cache-Control"));
            assertNotNull(r.header("ETag"));
            assertNull(r.header("Content-Encoding"));
            assertTrue(r.text().contains("sendBeacon"));
        }

        @Test
        void matchingIfNoneMatchIs304WithoutBody() {
            Wire w = wire();
            w.send(Wire.request("GET", "/footfall.js", ""));
            String etag = w.only().header("ETag");
            Wire w2 = wire();
            w2.send(Wire.request("GET", "/footfall.js", "If-None-Match: " + etag + "\r\n"));
            Wire.Response r = w2.only();
            assertEquals(304, r.status());
            assertEquals(etag, r.header("ETag"));
            assertEquals(0, r.body().length);
        }

        @Test
        void staleEtagGetsTheScript() {
            Wire w = wire();
            w.send(Wire.request("GET", "/footfall.js", "If-None-Match: \"0000000000000000\"\r\n"));
            assertEquals(200, w.only().status());
        }

        @Test
        void gzipIsServedWhenAcceptedAndInflatesToTheScript() throws IOException {
            Wire w = wire();
            w.send(Wire.request("GET", "/footfall.js", "Accept-Encoding: gzip, deflate, br\r\n"));
            Wire.Response r = w.only();
            assertEquals("gzip", r.header("Content-Encoding"));
            assertTrue(r.body().length < 2048, "under 2 KB gzipped: " + r.body().length);
            try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(r.body()))) {
                assertArrayEquals(io.footfall.collector.tracker.TrackerScript.load().plain(), in.readAllBytes());
            }
        }
    }

    /** Found by the hostile-input corpus (footfall-app HostileCorpusIT) against a real collector. */
    @Nested
    class HostileCorpusFindings {
        @Test
        void absoluteFormTargetIsTheSameResource() {
            // RFC 9112 §3.2.2: a server must accept the absolute form; it was a 404.
            Wire w = wire();
            w.send("POST http://collector.test/v1/events HTTP/1.1\r\nHost: collector.test\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + EVENT.length() + "\r\n\r\n" + EVENT);
            assertEquals(202, w.only().status());
            Wire v = wire();
            v.send(Wire.request("GET", "HTTPS://collector.test?x=1", ""));
            assertEquals(404, v.only().status(), "the path of an absolute target without one is /");
            assertEquals("/v1/p.gif", CollectorHandler.pathOf("http://c.test:8080/v1/p.gif?site=shop.test"));
            assertEquals("/", CollectorHandler.pathOf("http://c.test"));
            assertEquals("/x://y", CollectorHandler.pathOf("/x://y"));
        }

        @ParameterizedTest(name = "[{index}] host lines: {0}")
        @ValueSource(strings = {"", "Host: a\r\nHost: b\r\n", "Host: <script>:99\r\n", "Host: a b\r\n"})
        void http11WithoutExactlyOneValidHostIs400(String hostLines) {
            // RFC 9112 §3.2 says must; it was answered as if the Host were there.
            Wire w = wire();
            w.send("GET /health/live HTTP/1.1\r\n" + hostLines + "\r\n");
            Wire.Response r = w.only();
            assertEquals(400, r.status());
            assertTrue(r.text().startsWith("{\"error\":\"malformed_request\""), r.text());
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"GET /health/live HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
                "GET /health/live HTTP/1.1\r\nHost: collector.example.com\r\n\r\n",
                "GET /health/live HTTP/1.1\r\nHost:\r\n\r\n", "GET /health/live HTTP/1.0\r\n\r\n"})
        void validOrAllowedMissingHostIsServed(String request) {
            Wire w = wire();
            w.send(request);
            assertEquals(200, w.only().status());
        }

        @Test
        void pixelWithBrokenPercentEncodingIsMalformedNotAnUndocumentedError() {
            // It was "400 invalid_request" from the handler's last-resort catch.
            Wire w = wire();
            w.send(Wire.request("GET", "/v1/p.gif?site=%zz%&url=https%3A%2F%2Fshop.test%2F", ""));
            Wire.Response r = w.only();
            assertEquals(400, r.status());
            assertTrue(r.text().startsWith("{\"error\":\"malformed_request\""), r.text());
            assertEquals(0, w.state.inflightRequests());
        }

        @Test
        void loneSurrogateInPropsIsRejectedAloneAndTheRequestIsNotLeftInFlight() {
            // The props text could not be encoded as UTF-8 for the raw topic: "400 invalid_request", and the
            // request stayed counted in flight for ever (shutdown waited for it until its deadline).
            Wire w = wire();
            w.send(Wire.post("/v1/events", "application/json",
                    "[" + EVENT + ",{\"site\":\"shop.test\",\"type\":\"pageview\",\"props\":{\"k\":\"\\udc00x\"}}]"));
            Wire.Response r = w.only();
            assertEquals(202, r.status());
            assertTrue(r.text().startsWith("{\"accepted\":1,\"rejected\":[{\"index\":1,\"error\":\"invalid_props\""), r.text());
            assertEquals(1, w.sink.events.size());
            assertEquals(0, w.state.inflightRequests());
        }

        @Test
        void aSinkThatThrowsLeavesNoRequestInFlight() {
            Wire w = wire();
            w.sink.failure = new java.io.UncheckedIOException(new java.io.IOException("cannot encode"));
            w.send(Wire.post("/v1/events", "application/json", EVENT));
            Wire.Response r = w.only();
            assertEquals(400, r.status());
            assertEquals(0, w.state.inflightRequests(), "shutdown would wait for it until its deadline");
        }
    }
}
