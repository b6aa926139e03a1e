package io.footfall.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against a stand-in collector that answers as footfall's does (202, 503, 413, 403, ...). */
class FootfallClientTest {

    private static final Pattern EVENT_ID = Pattern.compile("\"event_id\":\"([0-9a-f-]{36})\"");

    /** What the stand-in answers to one request: status, body and an optional Retry-After. */
    private record Answer(int status, String body, String retryAfter) {
        static Answer accepted(int n) {
            return new Answer(202, "{\"accepted\":" + n + ",\"rejected\":[]}", null);
        }
    }

    private interface Collector {
        Answer answer(int request, List<String> ids);
    }

    private HttpServer server;
    private final List<List<String>> requests = new CopyOnWriteArrayList<>();
    private final List<String> encodings = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    private final List<Long> requestTimes = new CopyOnWriteArrayList<>();

    private URI start(Collector collector) throws IOException {
        return start("", collector);
    }

    /** A stand-in serving {@code POST <prefix>/v1/events}; its address is returned with the prefix. */
    private URI start(String prefix, Collector collector) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger n = new AtomicInteger();
        server.createContext(prefix + "/v1/events", exchange -> {
            requestTimes.add(System.nanoTime());
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            encodings.add(String.valueOf(encoding));
            InputStream in = "gzip".equals(encoding) ? new GZIPInputStream(new ByteArrayInputStream(raw))
                    : new ByteArrayInputStream(raw);
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> ids = new ArrayList<>();
            Matcher m = EVENT_ID.matcher(body);
            while (m.find()) {
                ids.add(m.group(1));
            }
            requests.add(ids);
            bodies.add(body);
            reply(exchange, collector.answer(n.getAndIncrement(), ids));
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + prefix);
    }

    private static void reply(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        if (answer.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static List<Event> pageviews(int n) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(Event.pageview("shop.test", "https://shop.test/p/" + i).visitorId("user-" + (i % 7)));
        }
        return events;
    }

    /** A collector that answers nothing until {@code release}, then takes everything. */
    private static Collector heldUntil(CountDownLatch release) {
        return (i, ids) -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.accepted(ids.size());
        };
    }

    /** Sends every event; how many the client took. */
    private static int sendAll(FootfallClient client, List<Event> events) {
        int taken = 0;
        for (Event e : events) {
            if (client.send(e)) {
                taken++;
            }
        }
        return taken;
    }

    /** What was not taken counts as dropped; once the collector answers, what was taken is delivered. */
    private static void droppedTheRestThenDelivers(FootfallClient client, CountDownLatch release, int sent, int taken)
            throws InterruptedException {
        assertEquals(sent - taken, client.stats().dropped());
        release.countDown();
        assertTrue(client.flush(Duration.ofSeconds(10)));
        assertEquals(taken, client.stats().delivered());
    }

    /** A listener that notes each rejected event as "id reason". */
    private static FootfallClient.Listener rejectionsInto(List<String> reported) {
        return new FootfallClient.Listener() {
            @Override
            public void rejected(Event event, String error) {
                reported.add(event.eventId() + " " + error);
            }
        };
    }

    private static Set<String> ids(List<Event> events) {
        Set<String> ids = new HashSet<>();
        events.forEach(e -> ids.add(e.eventId()));
        return ids;
    }

    @Test
    void eventsGoInGzipBatchesOfTheConfiguredSize() throws Exception {
        URI collector = start((i, ids) -> Answer.accepted(ids.size()));
        List<Event> events = pageviews(250);
        try (FootfallClient client = FootfallClient.builder(collector).batchSize(100).flushInterval(Duration.ofMillis(500)).build()) {
            events.forEach(e -> assertTrue(client.send(e)));
            assertTrue(client.flush(Duration.ofSeconds(10)));
            assertEquals(new FootfallClient.Stats(250, 0, 0, 0, 0, 0), client.stats());
        }
        assertEquals(List.of(100, 100, 50), requests.stream().map(List::size).toList());
        assertTrue(encodings.stream().allMatch("gzip"::equals), encodings.toString());
        Set<String> sent = new HashSet<>();
        requests.forEach(sent::addAll);
        assertEquals(ids(events), sent, "every event once, with the id it was made with");
    }

    @Test
    void aPartialBatchIsSentAfterTheFlushInterval() throws Exception {
        URI collector = start((i, ids) -> Answer.accepted(ids.size()));
        try (FootfallClient client = FootfallClient.builder(collector).flushInterval(Duration.ofMillis(200)).build()) {
            client.send(Event.custom("shop.test", "signup").prop("plan", "pro"));
            long t0 = System.nanoTime();
            assertTrue(client.flush(Duration.ofSeconds(5)));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(4), "not held for a full batch");
            assertEquals(1, client.stats().delivered());
        }
    }

    @Test
    void anUnavailableCollectorGetsTheSameBatchAgainAfterItsRetryAfter() throws Exception {
        URI collector = start((i, ids) -> i < 2 ? new Answer(503, "{\"error\":\"overloaded\"}", "0") : Answer.accepted(ids.size()));
        List<Event> events = pageviews(30);
        try (FootfallClient client = FootfallClient.builder(collector).build()) {
            events.forEach(client::send);
            assertTrue(client.flush(Duration.ofSeconds(10)));
            assertEquals(new FootfallClient.Stats(30, 0, 0, 0, 2, 0), client.stats());
        }
        assertEquals(3, requests.size());
        assertEquals(requests.get(0), requests.get(1), "a retry carries the same ids: footfall stores each once");
        assertEquals(requests.get(0), requests.get(2));
    }

    @Test
    void eventsTheCollectorRejectsAreCountedAndReportedNotRetried() throws Exception {
        URI collector = start((i, ids) -> new Answer(202,
                "{\"accepted\":2,\"rejected\":[{\"index\":1,\"error\":\"invalid_url\",\"detail\":\"url must be http(s)\"}]}", null));
        List<String> reported = new CopyOnWriteArrayList<>();
        List<Event> events = pageviews(3);
        try (FootfallClient client = FootfallClient.builder(collector).listener(rejectionsInto(reported)).build()) {
            events.forEach(client::send);
            assertTrue(client.flush(Duration.ofSeconds(10)));
            assertEquals(new FootfallClient.Stats(2, 1, 0, 0, 0, 0), client.stats());
        }
        assertEquals(List.of(events.get(1).eventId() + " invalid_url"), reported);
        assertEquals(1, requests.size());
    }

    @Test
    void aRefusedRequestRejectsItsEventsWithTheCollectorsReason() throws Exception {
        URI collector = start((i, ids) -> new Answer(403, "{\"error\":\"unknown_site\",\"detail\":\"...\"}", null));
        List<String> reasons = new CopyOnWriteArrayList<>();
        try (FootfallClient client = FootfallClient.builder(collector).listener(new FootfallClient.Listener() {
            @Override
            public void rejected(Event event, String error) {
                reasons.add(error);
            }
        }).build()) {
            pageviews(4).forEach(client::send);
            assertTrue(client.flush(Duration.ofSeconds(10)));
            assertEquals(new FootfallClient.Stats(0, 4, 0, 0, 0, 0), client.stats());
        }
        assertEquals(Collections.nCopies(4, "unknown_site"), reasons);
    }

    @Test
    void aBatchOverTheCollectorsSizeLimitIsHalvedUntilItFits() throws Exception {
        URI collector = start((i, ids) -> ids.size() > 3 ? new Answer(413, "{\"error\":\"too_many_events\"}", null)
                : Answer.accepted(ids.size()));
        List<Event> events = pageviews(10);
        try (FootfallClient client = FootfallClient.builder(collector).batchSize(10).build()) {
            events.forEach(client::send);
            assertTrue(client.flush(Duration.ofSeconds(10)));
            assertEquals(10, client.stats().delivered());
        }
        Set<String> accepted = new HashSet<>();
        requests.stream().filter(r -> r.size() <= 3).forEach(accepted::addAll);
        assertEquals(ids(events), accepted);
    }

    @Test
    void anAnswerThatIsNotACollectorsFailsAtOnceInsteadOfHoldingTheQueue() throws Exception {
        URI collector = start((i, ids) -> i == 0 ? new Answer(301, "moved", null) : new Answer(200, "<html>ok</html>", null));
        List<String> why = new CopyOnWriteArrayList<>();
        try (FootfallClient client = FootfallClient.builder(collector).listener(new FootfallClient.Listener() {
            @Override
            public void failed(List<Event> lost, String reason) {
                why.add(lost.size() + " " + reason);
            }
        }).build()) {
            pageviews(3).forEach(client::send);
            assertTrue(client.flush(Duration.ofSeconds(5)));
            pageviews(2).forEach(client::send);
            assertTrue(client.flush(Duration.ofSeconds(5)));
            assertEquals(new FootfallClient.Stats(0, 0, 0, 5, 0, 0), client.stats());
        }
        assertEquals(2, requests.size(), "neither was retried");
        assertTrue(why.get(0).startsWith("3 HTTP 301 is not a footfall collector's answer"), why.toString());
        assertTrue(why.get(1).startsWith("2 HTTP 200 without a footfall collector's count"), why.toString());
    }

    @Test
    void anEventIsSentAsItWasWhenSentAndAThrowingListenerStopsNothing() throws Exception {
        URI collector = start((i, ids) -> new Answer(202, "{\"accepted\":0,\"rejected\":[{\"index\":0,\"error\":\"invalid_url\"}]}", null));
        try (FootfallClient client = FootfallClient.builder(collector).listener(new FootfallClient.Listener() {
            @Override
            public void rejected(Event event, String error) {
                throw new IllegalStateException("a listener with a bug");
            }
        }).build()) {
            Event e = Event.custom("shop.test", "signup").prop("plan", "pro");
            client.send(e);
            e.prop("late", true);
            assertTrue(client.flush(Duration.ofSeconds(5)));
            client.send(Event.custom("shop.test", "again"));
            assertTrue(client.flush(Duration.ofSeconds(5)), "the client's thread survived the listener");
            assertEquals(2, client.stats().rejected());
        }
        assertEquals(2, requests.size());
        assertTrue(bodies.get(0).contains("\"plan\":\"pro\"") && !bodies.get(0).contains("late"), bodies.get(0));
    }

    @Test
    void anUnreachableCollectorIsRetriedUntilGiveUpAndTheEventsAreReportedFailed() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<Event> failed = new CopyOnWriteArrayList<>();
        List<String> why = new CopyOnWriteArrayList<>();
        List<Event> events = pageviews(5);
        try (FootfallClient client = FootfallClient.builder(URI.create("http://127.0.0.1:" + port))
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).giveUpAfter(Duration.ofMillis(600))
                .listener(new FootfallClient.Listener() {
                    @Override
                    public void failed(List<Event> lost, String reason) {
                        failed.addAll(lost);
                        why.add(reason);
                    }
                }).build()) {
            events.forEach(client::send);
            assertTrue(client.flush(Duration.ofSeconds(10)));
            FootfallClient.Stats stats = client.stats();
            assertEquals(5, stats.failed());
            assertEquals(0, stats.delivered());
            assertTrue(stats.retries() >= 2, "retried before giving up: " + stats);
        }
        assertEquals(ids(events), ids(failed));
        assertTrue(why.get(0).startsWith("ConnectException"), why.toString());
    }

    @Test
    void aFullQueueRefusesNewEventsInsteadOfGrowing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        URI collector = start(heldUntil(release));
        try (FootfallClient client = FootfallClient.builder(collector).maxQueuedEvents(5).batchSize(1).build()) {
            int taken = sendAll(client, pageviews(20));
            assertTrue(taken <= 6, "at most the queue and the one request waiting on the collector: " + taken);
            droppedTheRestThenDelivers(client, release, 20, taken);
        }
    }

    @Test
    void closeDeliversWhatIsQueuedThenRefusesMore() throws Exception {
        URI collector = start((i, ids) -> Answer.accepted(ids.size()));
        FootfallClient client = FootfallClient.builder(collector).flushInterval(Duration.ofMinutes(1)).build();
        pageviews(42).forEach(client::send);
        // The client's thread has taken all 42 and waits for the batch to fill.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> client.stats().queued() == 0);
        long t0 = System.nanoTime();
        client.close();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "close does not wait for the flush interval");
        assertEquals(42, client.stats().delivered(), "close does not wait a minute for the batch to fill, nor drop it");
        assertFalse(client.send(Event.pageview("shop.test", "https://shop.test/")));
        assertEquals(1, client.stats().dropped());
    }

    @Test
    void theJsonIsWhatTheCollectorReads() {
        Event e = Event.custom("shop.test", "sign\"up").url("https://shop.test/a?b=c").title("Tab\tand \"quotes\" \u0001")
                .visitorId("u1").userAgent("Mozilla/5.0 (X11)").prop("plan", "pro").prop("seats", 3).prop("trial", true).prop("ratio", 0.5);
        String json = e.toJson();
        assertTrue(json.startsWith("{\"event_id\":\"" + e.eventId() + "\",\"site\":\"shop.test\",\"type\":\"event\","
                + "\"name\":\"sign\\\"up\",\"url\":\"https://shop.test/a?b=c\",\"title\":\"Tab\\tand \\\"quotes\\\" \\u0001\","
                + "\"visitor_id\":\"u1\",\"user_agent\":\"Mozilla/5.0 (X11)\",\"ts\":"), json);
        assertTrue(json.endsWith(",\"props\":{\"plan\":\"pro\",\"seats\":3,\"trial\":true,\"ratio\":0.5}}"), json);
        assertThrows(IllegalArgumentException.class, () -> e.prop("nested", List.of(1)));
        assertThrows(IllegalStateException.class, () -> Event.pageview("shop.test", "https://shop.test/").url("https://x/"));
        assertThrows(IllegalArgumentException.class, () -> FootfallClient.builder(URI.create("ftp://collector")));
        assertThrows(IllegalArgumentException.class, () -> FootfallClient.builder(URI.create("http://c")).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> FootfallClient.builder(URI.create("http://c")).userAgent("a\r\nX-Evil: 1"));
    }

    /**
     * Everything the collector would refuse in any case is refused at the call, naming the field: the mistake shows
     * where it is made, and no event the collector cannot even read (a 70,000-character title, a 55-digit number)
     * reaches a batch.
     */
    @Test
    void whatTheCollectorWouldRefuseIsRefusedAtTheCall() {
        String site = "shop.test";
        Event ok = Event.custom(site, "signup");
        for (Runnable bad : List.<Runnable>of(
                () -> Event.pageview("Shop.Test", "https://shop.test/"),
                () -> Event.pageview("", "https://shop.test/"),
                () -> Event.pageview(site, "https://shop.test/" + "x".repeat(4100)),
                () -> Event.custom(site, " "),
                () -> Event.custom(site, "n".repeat(129)),
                () -> ok.title("t".repeat(70_000)),
                () -> ok.title("a\uD800b"),
                () -> ok.referrer("https://r.test/" + "x".repeat(4100)),
                () -> ok.visitorId(""),
                () -> ok.visitorId("v".repeat(129)),
                () -> ok.userAgent(" "),
                () -> ok.prop("", 1),
                () -> ok.prop("k".repeat(65), 1),
                () -> ok.prop("k", "v".repeat(1025)),
                () -> ok.prop("k", Double.NaN),
                () -> ok.prop("k", Float.POSITIVE_INFINITY),
                () -> ok.prop("k", new java.math.BigDecimal(0.1)),
                () -> ok.prop("k", new java.math.BigInteger("1".repeat(50))),
                () -> ok.prop("k", new java.math.BigDecimal("1E-400")),
                () -> ok.prop("k", new java.math.BigDecimal("1E+1000")),
                () -> ok.prop("k", null))) {
            assertThrows(IllegalArgumentException.class, bad::run);
        }
        for (int i = 0; i < 32; i++) {
            ok.prop("k" + i, i);
        }
        ok.prop("k0", "replaced"); // a key set again is not a 33rd
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ok.prop("k32", 1));
        assertEquals("prop 'k32': an event has at most 32 properties", e.getMessage());
        assertEquals("title: must be at most 1024 characters, got 1025",
                assertThrows(IllegalArgumentException.class, () -> ok.title("t".repeat(1025))).getMessage());
        // the edges themselves pass, as the collector takes them
        Event.custom(site, "n".repeat(128)).title("t".repeat(1024)).visitorId("v".repeat(128)).referrer("")
                .prop("k".repeat(64), "v".repeat(1024)).prop("big", new java.math.BigDecimal("1E+300"))
                .prop("long", Long.MIN_VALUE).prop("emoji", "\uD83D\uDE00");
    }

    /**
     * A collector that cannot read one event of a batch refuses the whole request (400): the client halves the batch
     * until that event is on its own, so only it is rejected and every other event is stored.
     */
    @Test
    void oneEventTheCollectorCannotReadIsIsolatedAndTheRestStored() throws Exception {
        List<Event> events = pageviews(10);
        String unreadable = events.get(6).eventId();
        URI collector = start((i, ids) -> ids.contains(unreadable)
                ? new Answer(400, "{\"error\":\"json_limit\",\"detail\":\"a string is too long\"}", null)
                : Answer.accepted(ids.size()));
        List<String> reported = new CopyOnWriteArrayList<>();
        try (FootfallClient client = FootfallClient.builder(collector).batchSize(10).listener(rejectionsInto(reported)).build()) {
            events.forEach(client::send);
            assertTrue(client.flush(Duration.ofSeconds(10)));
            assertEquals(new FootfallClient.Stats(9, 1, 0, 0, 0, 0), client.stats());
        }
        assertEquals(List.of(unreadable + " json_limit"), reported);
        Set<String> stored = new HashSet<>();
        requests.stream().filter(r -> !r.contains(unreadable)).forEach(stored::addAll);
        Set<String> expected = ids(events);
        expected.remove(unreadable);
        assertEquals(expected, stored);
    }

    /** A listener that throws an Error (an assertion) stops nothing either: the client's thread lives on. */
    @Test
    void aListenerThrowingAnErrorStopsNothing() throws Exception {
        URI collector = start((i, ids) -> i == 0
                ? new Answer(202, "{\"accepted\":0,\"rejected\":[{\"index\":0,\"error\":\"invalid_url\"}]}", null)
                : Answer.accepted(ids.size()));
        try (FootfallClient client = FootfallClient.builder(collector).listener(new FootfallClient.Listener() {
            @Override
            public void rejected(Event event, String error) {
                throw new AssertionError("a listener with a bug");
            }
        }).build()) {
            client.send(Event.custom("shop.test", "first"));
            assertTrue(client.flush(Duration.ofSeconds(5)));
            pageviews(50).forEach(e -> assertTrue(client.send(e)));
            assertTrue(client.flush(Duration.ofSeconds(5)), "the client's thread survived the listener");
            assertEquals(50, client.stats().delivered());
        }
    }

    /** Large events fill the byte budget before the event count: memory stays bounded whatever their size. */
    @Test
    void theQueueIsBoundedInBytesToo() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        URI collector = start(heldUntil(release));
        try (FootfallClient client = FootfallClient.builder(collector).maxQueuedBytes(64 * 1024).batchSize(1).build()) {
            List<Event> big = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Event e = Event.custom("shop.test", "big");
                for (int k = 0; k < 10; k++) {
                    e.prop("k" + k, "v".repeat(1000));
                }
                big.add(e);
            }
            int taken = sendAll(client, big);
            // ~10 KB each: 6 fit in 64 KB, plus the one the client's thread holds in its request
            assertTrue(taken >= 6 && taken <= 7, "taken " + taken);
            droppedTheRestThenDelivers(client, release, 200, taken);
        }
    }

    /**
     * {@code Retry-After: 0} does not make a hot loop (the backoff is the least wait), and a {@code Retry-After}
     * longer than a batch may wait holds the batches behind it too: no request goes before it passes.
     */
    @Test
    void retryAfterIsALeastWaitAndHoldsEveryBatch() throws Exception {
        URI collector = start((i, ids) -> i < 3 ? new Answer(503, "{\"error\":\"overloaded\"}", "0") : Answer.accepted(ids.size()));
        try (FootfallClient client = FootfallClient.builder(collector).retryBackoff(Duration.ofMillis(200), Duration.ofMillis(200)).build()) {
            client.send(Event.custom("shop.test", "retried"));
            assertTrue(client.flush(Duration.ofSeconds(10)));
            assertEquals(1, client.stats().delivered());
        }
        assertEquals(4, requestTimes.size());
        for (int i = 1; i < 4; i++) {
            long gapMs = TimeUnit.NANOSECONDS.toMillis(requestTimes.get(i) - requestTimes.get(i - 1));
            assertTrue(gapMs >= 100, "at least half the 200 ms backoff between tries, got " + gapMs + " ms");
        }
        stop();
        requests.clear();
        requestTimes.clear();

        URI limited = start((i, ids) -> i == 0 ? new Answer(429, "{\"error\":\"rate_limited\"}", "2") : Answer.accepted(ids.size()));
        List<String> why = new CopyOnWriteArrayList<>();
        try (FootfallClient client = FootfallClient.builder(limited).batchSize(1).flushInterval(Duration.ofMillis(10))
                .giveUpAfter(Duration.ofMillis(500)).listener(new FootfallClient.Listener() {
                    @Override
                    public void failed(List<Event> lost, String reason) {
                        why.add(reason);
                    }
                }).build()) {
            long t0 = System.nanoTime();
            client.send(Event.custom("shop.test", "a"));
            client.send(Event.custom("shop.test", "b"));
            assertTrue(client.flush(Duration.ofSeconds(5)));
            assertEquals(2, client.stats().failed());
            assertEquals(1, requests.size(), "the second batch was not sent within the collector's 2 s");
            assertTrue(why.get(1).contains("Retry-After"), why.toString());
            // Once the collector's 2 s have passed, events go again. A plain wait, not a poll: what is waited for is
            // the clock itself (the client shows nothing until then, and an event sent earlier would wait past its
            // 500 ms giveUpAfter and fail, which the lines above already proved).
            Thread.sleep(Math.max(0, 2_100 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)));
            client.send(Event.custom("shop.test", "c"));
            assertTrue(client.flush(Duration.ofSeconds(5)));
            assertEquals(1, client.stats().delivered());
        }
    }

    /** close() from a thread with its interrupt set still delivers what is queued, and leaves the interrupt set. */
    @Test
    void closeFromAnInterruptedThreadStillDelivers() throws Exception {
        URI collector = start((i, ids) -> Answer.accepted(ids.size()));
        FootfallClient client = FootfallClient.builder(collector).flushInterval(Duration.ofMinutes(1)).build();
        pageviews(50).forEach(client::send);
        Thread.currentThread().interrupt();
        try {
            client.close();
            assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt is kept");
        } finally {
            Thread.interrupted();
        }
        assertEquals(new FootfallClient.Stats(50, 0, 0, 0, 0, 0), client.stats());
        client.close(); // a second close is harmless
    }

    /** A collector served under a path keeps it; a 404 is a wrong address, reported at once, not a rejection. */
    @Test
    void aPathInTheCollectorsAddressIsKept() throws Exception {
        URI collector = start("/footfall", (i, ids) -> Answer.accepted(ids.size()));
        try (FootfallClient client = FootfallClient.builder(collector).build()) {
            pageviews(3).forEach(client::send);
            assertTrue(client.flush(Duration.ofSeconds(5)));
            assertEquals(3, client.stats().delivered());
        }
        List<String> why = new CopyOnWriteArrayList<>();
        URI wrong = URI.create(collector.toString().replace("/footfall", "/elsewhere"));
        try (FootfallClient client = FootfallClient.builder(wrong).listener(new FootfallClient.Listener() {
            @Override
            public void failed(List<Event> lost, String reason) {
                why.add(reason);
            }
        }).build()) {
            pageviews(2).forEach(client::send);
            assertTrue(client.flush(Duration.ofSeconds(5)));
            assertEquals(new FootfallClient.Stats(0, 0, 0, 2, 0, 0), client.stats());
        }
        assertEquals(List.of("HTTP 404: no footfall collector at " + wrong + "/v1/events (is the address right?)"), why);
        assertThrows(IllegalArgumentException.class, () -> FootfallClient.builder(collector).userAgent("myapp/2 (caf\u00e9)"));
    }

    /**
     * A part of a split batch that fails inside the client (here: the HTTP client throws) gives up only its own
     * events: the half already delivered is not reported failed as well, and flush() still waits for what is sent later.
     */
    @Test
    void aFailureInOneHalfOfASplitReportsOnlyThatHalf() throws Exception {
        URI collector = start((i, ids) -> ids.size() > 2 ? new Answer(413, "{\"error\":\"too_many_events\"}", null)
                : Answer.accepted(ids.size()));
        HttpClient real = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicInteger sends = new AtomicInteger();
        HttpClient failingThird = new DelegatingHttpClient(real) {
            @Override
            public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
                    throws IOException, InterruptedException {
                if (sends.incrementAndGet() == 3) {
                    throw new IllegalStateException("a bug in the HTTP stack");
                }
                return super.send(request, handler);
            }
        };
        List<Event> failed = new CopyOnWriteArrayList<>();
        List<Event> events = pageviews(4);
        try (FootfallClient client = FootfallClient.builder(collector).batchSize(4).httpClient(failingThird)
                .listener(new FootfallClient.Listener() {
                    @Override
                    public void failed(List<Event> lost, String reason) {
                        failed.addAll(lost);
                    }
                }).build()) {
            events.forEach(client::send);
            assertTrue(client.flush(Duration.ofSeconds(10)));
            assertEquals(new FootfallClient.Stats(2, 0, 0, 2, 0, 0), client.stats());
            assertEquals(ids(events.subList(2, 4)), ids(failed), "only the half that failed");
        }
    }

    /** A listener that closes the client (an ordinary idempotent close) while close() reports what is left. */
    @Test
    void aListenerMayCloseTheClientWhileItCloses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        URI collector = start(heldUntil(release));
        java.util.concurrent.atomic.AtomicReference<FootfallClient> self = new java.util.concurrent.atomic.AtomicReference<>();
        AtomicInteger reported = new AtomicInteger();
        FootfallClient client = FootfallClient.builder(collector).batchSize(1).closeTimeout(Duration.ofMillis(300))
                .listener(new FootfallClient.Listener() {
                    @Override
                    public void failed(List<Event> lost, String reason) {
                        reported.addAndGet(lost.size());
                        self.get().close();
                    }
                }).build();
        self.set(client);
        pageviews(5).forEach(client::send);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), client::close);
        release.countDown();
        assertEquals(5, reported.get() + client.stats().delivered());
    }

    @Test
    void anEventAloneFitsTheSmallestByteBudget() throws Exception {
        URI collector = start((i, ids) -> Answer.accepted(ids.size()));
        try (FootfallClient client = FootfallClient.builder(collector).maxQueuedBytes(64 * 1024).build()) {
            Event big = Event.custom("shop.test", "quotes");
            for (int k = 0; k < 32; k++) {
                big.prop("k" + k, "\"".repeat(1024)); // 2 KB of JSON each once escaped: over 64 KB in all
            }
            assertTrue(big.toJson().length() > 64 * 1024);
            assertTrue(client.send(big), "a valid event is never too large for an empty queue");
            assertTrue(client.flush(Duration.ofSeconds(5)));
            assertEquals(1, client.stats().delivered());
        }
    }

    /** Numbers are counted as the collector's JSON reader counts them: digits, not the sign or the point. */
    @Test
    void numbersOfFortyDigitsPass() {
        Event e = Event.custom("shop.test", "n");
        e.prop("negative", new java.math.BigDecimal("-" + "9".repeat(40)));
        e.prop("fraction", new java.math.BigDecimal("9".repeat(39) + ".5"));
        assertThrows(IllegalArgumentException.class, () -> e.prop("more", new java.math.BigInteger("9".repeat(41))));
    }

    /** Every call to the HTTP client goes to another one: tests override the one they need to fail. */
    private static class DelegatingHttpClient extends HttpClient {
        private final HttpClient to;

        DelegatingHttpClient(HttpClient to) {
            this.to = to;
        }

        @Override
        public java.util.Optional<java.net.CookieHandler> cookieHandler() {
            return to.cookieHandler();
        }

        @Override
        public java.util.Optional<Duration> connectTimeout() {
            return to.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return to.followRedirects();
        }

        @Override
        public java.util.Optional<java.net.ProxySelector> proxy() {
            return to.proxy();
        }

        @Override
        public javax.net.ssl.SSLContext sslContext() {
            return to.sslContext();
        }

        @Override
        public javax.net.ssl.SSLParameters sslParameters() {
            return to.sslParameters();
        }

        @Override
        public java.util.Optional<java.net.Authenticator> authenticator() {
            return to.authenticator();
        }

        @Override
        public Version version() {
            return to.version();
        }

        @Override
        public java.util.Optional<java.util.concurrent.Executor> executor() {
            return to.executor();
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            return to.send(request, handler);
        }

        @Override
        public <T> java.util.concurrent.CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                HttpResponse.BodyHandler<T> handler) {
            return to.sendAsync(request, handler);
        }

        @Override
        public <T> java.util.concurrent.CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
            return to.sendAsync(request, handler, push);
        }
    }
}
