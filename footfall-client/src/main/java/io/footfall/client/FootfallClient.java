package io.footfall.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Sends events to a footfall collector from a server, in the background: {@link #send} puts an event on a bounded
 * queue and returns at once; one thread posts batches (a JSON array, gzip), and a batch the collector could not
 * take ({@code 503}, {@code 429}, a timeout, a lost connection) is sent again, with the same event ids, after an
 * exponential backoff (or the collector's {@code Retry-After}), so footfall stores each event once.
 *
 * <p>Nothing is lost without a trace: an event the queue has no room for makes {@code send} return false; an event
 * the collector refuses (invalid) is counted as rejected, with its reason, and one that could not be delivered
 * within {@link Builder#giveUpAfter} or before {@link #close} ends is counted as failed; a {@link Listener} hears of
 * each. {@link #stats()} has the counts.
 *
 * <pre>{@code
 * try (FootfallClient footfall = FootfallClient.builder(URI.create("https://collector.example.com")).build()) {
 *     footfall.send(Event.custom("example.com", "signup").visitorId(userId).prop("plan", "pro"));
 * }
 * }</pre>
 */
public final class FootfallClient implements AutoCloseable {

    /** What happened to events that were not delivered; called on the client's thread, so keep it short. */
    public interface Listener {
        /** The collector refused this event; {@code error} is its reason (e.g. {@code invalid_url}). */
        default void rejected(Event event, String error) {
        }

        /** These events could not be delivered before the client gave up or was closed. */
        default void failed(List<Event> events, String reason) {
        }
    }

    /** An event as it was when it was sent: later changes to the {@code Event} object do not reach the collector. */
    private record Queued(Event event, String json) {
    }

    /** Counts since the client was built. */
    public record Stats(long delivered, long rejected, long dropped, long failed, long retries, int queued) {
    }

    private static final long POLL_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Pattern ACCEPTED = Pattern.compile("\"accepted\"\\s*:\\s*(\\d+)");
    private static final Pattern REJECTED = Pattern.compile("\"index\"\\s*:\\s*(\\d+)\\s*,\\s*\"error\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final URI endpoint;
    private final HttpClient http;
    private final int batchSize;
    private final Duration flushInterval;
    private final boolean gzip;
    private final Duration requestTimeout;
    private final Duration retryInitial;
    private final Duration retryMax;
    private final Duration giveUpAfter;
    private final Duration closeTimeout;
    private final String userAgent;
    private final Listener listener;
    private final BlockingQueue<Queued> queue;
    private final long maxQueuedBytes;
    /** JSON characters of the events in the queue: with the event count, what bounds the client's memory. */
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Makes the order of {@link #enqueued} that of the queue, which {@link #flush} relies on. */
    private final Object sendLock = new Object();
    private final Thread sender;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    /** Events taken by {@link #send} so far, and of those delivered, rejected or given up on: {@link #flush}. */
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final Object idle = new Object();
    private volatile boolean closing;
    /** The thread running the first {@link #close}: a listener it calls may close again, which must not wait for itself. */
    private volatile Thread closer;
    private volatile long closeDeadline = Long.MAX_VALUE;
    private final CountDownLatch closed = new CountDownLatch(1);
    /** No request before this time ({@code System.nanoTime}): the collector's last {@code Retry-After}. */
    private long notBefore = System.nanoTime();

    private FootfallClient(Builder b) {
        this.endpoint = endpoint(b.collector);
        this.http = b.http != null ? b.http : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.requestTimeout).build();
        this.batchSize = b.batchSize;
        this.flushInterval = b.flushInterval;
        this.gzip = b.gzip;
        this.requestTimeout = b.requestTimeout;
        this.retryInitial = b.retryInitial;
        this.retryMax = b.retryMax;
        this.giveUpAfter = b.giveUpAfter;
        this.closeTimeout = b.closeTimeout;
        this.userAgent = b.userAgent;
        this.listener = b.listener;
        this.queue = new ArrayBlockingQueue<>(b.maxQueuedEvents);
        this.maxQueuedBytes = b.maxQueuedBytes;
        this.sender = new Thread(this::run, "footfall-client");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /**
     * @param collector the collector's base address, e.g. {@code https://collector.example.com}, or with the path a
     *                  proxy serves it under ({@code https://example.com/footfall}: events go to
     *                  {@code /footfall/v1/events})
     */
    public static Builder builder(URI collector) {
        return new Builder(collector);
    }

    private static URI endpoint(URI collector) {
        String path = collector.getRawPath() == null ? "" : collector.getRawPath();
        return collector.resolve((path.endsWith("/") ? path : path + "/") + "v1/events");
    }

    /**
     * Queues an event and returns at once.
     *
     * @return false when the queue is full (the collector has been unreachable for a while, or events come faster
     *         than it takes them), the client is closed, or its thread has died: the event was not taken, and counts
     *         as dropped
     */
    public boolean send(Event event) {
        Objects.requireNonNull(event, "event");
        Queued queued = new Queued(event, event.toJson());
        int size = queued.json().length();
        synchronized (sendLock) {
            if (closing || !sender.isAlive()) {
                dropped.incrementAndGet();
                return false;
            }
            long bytes = queuedBytes.addAndGet(size);
            // An event alone always fits: a valid one's JSON may exceed a small budget once escaped.
            if (bytes > maxQueuedBytes && bytes != size || !queue.offer(queued)) {
                queuedBytes.addAndGet(-size);
                dropped.incrementAndGet();
                return false;
            }
            if (closing && queue.remove(queued)) {
                // close() drained the queue between the check and the offer: not taken after all.
                queuedBytes.addAndGet(-size);
                dropped.incrementAndGet();
                return false;
            }
            enqueued.incrementAndGet();
        }
        return true;
    }

    private Queued dequeued(Queued q) {
        if (q != null) {
            queuedBytes.addAndGet(-q.json().length());
        }
        return q;
    }

    private void drainTo(List<Queued> into, int max) {
        int before = into.size();
        queue.drainTo(into, max);
        for (int i = before; i < into.size(); i++) {
            queuedBytes.addAndGet(-into.get(i).json().length());
        }
    }

    /**
     * Waits until every event sent before this call has been delivered, rejected or given up on (events are
     * handled in the order they were sent; those sent meanwhile are not waited for).
     *
     * @return false when {@code timeout} passed first
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long target = enqueued.get();
        synchronized (idle) {
            while (finished.get() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        return true;
    }

    public Stats stats() {
        return new Stats(delivered.get(), rejected.get(), dropped.get(), failed.get(), retries.get(), queue.size());
    }

    /**
     * Takes no more events, delivers what is queued for up to the builder's {@code closeTimeout} (10 s by default),
     * then stops the client's thread (a request still waiting is abandoned) and counts whatever is left as failed
     * (the listener hears of those on the caller's thread). An interrupt of the calling thread does not cut this
     * short (it stays set); a second call waits for the first to end.
     */
    @Override
    public void close() {
        boolean first;
        synchronized (sendLock) {
            first = !closing;
            if (first) {
                closeDeadline = System.nanoTime() + closeTimeout.toNanos();
                closer = Thread.currentThread();
                closing = true;
            }
        }
        if (!first && (Thread.currentThread() == closer || Thread.currentThread() == sender)) {
            return; // called back from a listener, inside the close under way (or from the thread it waits for)
        }
        boolean interrupted = false;
        try {
            if (!first) {
                while (true) {
                    try {
                        closed.await();
                        return;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            try {
                interrupted = joinSender(closeTimeout.toNanos());
                sender.interrupt();
                interrupted |= joinSender(TimeUnit.SECONDS.toNanos(1));
                List<Queued> left = new ArrayList<>();
                drainTo(left, Integer.MAX_VALUE);
                giveUp(left, "client closed");
            } finally {
                closed.countDown();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for the client's thread to end, at most {@code nanos}, through interrupts: whether one came. */
    private boolean joinSender(long nanos) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + nanos;
        while (sender.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                sender.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    private void run() {
        List<Queued> batch = new ArrayList<>(batchSize);
        while (true) {
            try {
                Queued first = dequeued(queue.poll(POLL_SLICE_NANOS, TimeUnit.NANOSECONDS));
                if (first == null) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                long batchDeadline = System.nanoTime() + flushInterval.toNanos();
                while (batch.size() < batchSize && !closing) {
                    long left = batchDeadline - System.nanoTime();
                    // In slices, so that close() is noticed while a batch waits to fill.
                    Queued next = dequeued(left > 0 ? queue.poll(Math.min(left, POLL_SLICE_NANOS), TimeUnit.NANOSECONDS) : queue.poll());
                    if (next != null) {
                        batch.add(next);
                    } else if (left <= POLL_SLICE_NANOS) {
                        break;
                    }
                }
                if (closing) {
                    drainTo(batch, batchSize - batch.size());
                }
                deliver(batch, System.nanoTime());
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            } catch (InterruptedException e) {
                giveUp(batch, "client closed"); // taken from the queue while the batch filled, never sent
                return;
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Sends one batch until the collector has taken or refused every event in it, or it is time to give up (also
     * when the thread is interrupted: the batch then counts as failed and the interrupt stays set).
     *
     * @param started when the batch was first tried: {@code giveUpAfter} counts from there, halves of a split included
     */
    private void deliver(List<Queued> batch, long started) {
        try {
            attempt(batch, started);
        } catch (RuntimeException | Error e) {
            // Whatever it was (an answer this client cannot read, memory for one request), the thread goes on. Caught
            // here, per part of a split, so that events an earlier part settled are not reported a second time.
            giveUp(batch, "client error: " + e);
        }
    }

    private void attempt(List<Queued> batch, long started) {
        long backoff = retryInitial.toNanos();
        String problem = null;
        while (true) {
            // The collector's last Retry-After holds for every batch, not only the one it answered.
            long hold = notBefore - System.nanoTime();
            if (hold > 0) {
                long budget = Math.min(started + giveUpAfter.toNanos(), closeDeadline) - System.nanoTime();
                if (!pause(Math.min(hold, Math.max(0, budget)), batch)) {
                    return;
                }
                if (hold > budget) {
                    giveUp(batch, (problem != null ? problem + "; " : "") + "the collector asked to wait (Retry-After) past "
                            + (closing ? "the close timeout" : "giveUpAfter"));
                    return;
                }
            }
            long retryAfter = -1;
            try {
                HttpResponse<String> response = http.send(request(batch), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 202 || status == 200) {
                    taken(batch, response.body(), status);
                    return;
                }
                if ((status == 413 || status == 400) && batch.size() > 1) {
                    // Over the collector's size limit for one request, or one event it cannot read at all that
                    // takes the request down with it: halve it until it fits, or until the bad event is on its own.
                    int half = batch.size() / 2;
                    deliver(new ArrayList<>(batch.subList(0, half)), started);
                    List<Queued> second = new ArrayList<>(batch.subList(half, batch.size()));
                    if (Thread.currentThread().isInterrupted()) {
                        giveUp(second, "client closed");
                    } else {
                        deliver(second, started);
                    }
                    return;
                }
                if (status == 404) {
                    // footfall's collector serves POST /v1/events: a 404 is some other server, or a path missed
                    giveUp(batch, "HTTP 404: no footfall collector at " + endpoint + " (is the address right?)");
                    return;
                }
                if (status >= 400 && status < 500 && status != 408 && status != 429) {
                    // The request itself is refused (bad site, too large, wrong media type): sending it again
                    // would get the same answer.
                    String error = firstGroup(ERROR, response.body(), "http_" + status);
                    for (Queued q : batch) {
                        reject(q.event(), error);
                    }
                    finished(batch.size());
                    return;
                }
                if (status != 408 && status != 429 && status < 500) {
                    // A redirect or another success than the collector's: not footfall answering (a wrong address,
                    // http:// where https:// is served). Retrying would only hold the queue up.
                    giveUp(batch, "HTTP " + status + " is not a footfall collector's answer (is " + endpoint + " right?)");
                    return;
                }
                problem = "HTTP " + status;
                retryAfter = response.headers().firstValue("Retry-After").map(FootfallClient::seconds).orElse(-1L);
            } catch (IOException e) {
                problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                giveUp(batch, "client closed");
                Thread.currentThread().interrupt();
                return;
            }
            long now = System.nanoTime();
            // The longer of the two: Retry-After is the collector's least, the backoff keeps retries from coming
            // at its pace for minutes (footfall's collector always says 1 s).
            long wait = Math.max(retryAfter >= 0 ? TimeUnit.SECONDS.toNanos(retryAfter) : 0,
                    ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1));
            if (retryAfter > 0) {
                notBefore = now + TimeUnit.SECONDS.toNanos(retryAfter);
            }
            if (now + wait - started > giveUpAfter.toNanos() || now + wait > closeDeadline) {
                giveUp(batch, problem);
                return;
            }
            retries.incrementAndGet();
            if (!pause(wait, batch)) {
                return;
            }
            backoff = Math.min(backoff * 2, retryMax.toNanos());
        }
    }

    /** Sleeps; false (the batch given up, the interrupt kept) when the client is being stopped. */
    private boolean pause(long nanos, List<Queued> batch) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return true;
        } catch (InterruptedException e) {
            giveUp(batch, "client closed");
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpRequest request(List<Queued> batch) throws IOException {
        StringBuilder json = new StringBuilder(batch.size() * 300).append('[');
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(batch.get(i).json());
        }
        byte[] body = json.append(']').toString().getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(requestTimeout)
                .header("Content-Type", "application/json").header("User-Agent", userAgent);
        if (gzip) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
            try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
                zip.write(body);
            }
            body = out.toByteArray();
            request.header("Content-Encoding", "gzip");
        }
        return request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /**
     * A 202: the events listed under {@code rejected} are refused for good, the others stored. An answer without
     * that count (a proxy's page) proves nothing: its events count as failed.
     */
    private void taken(List<Queued> batch, String body, int status) {
        Matcher accepted = ACCEPTED.matcher(body == null ? "" : body);
        if (!accepted.find() || accepted.group(1).length() > 9) {
            giveUp(batch, "HTTP " + status + " without a footfall collector's count of accepted events");
            return;
        }
        int refused = 0;
        Matcher m = REJECTED.matcher(body);
        while (m.find()) {
            if (m.group(1).length() <= 9 && Integer.parseInt(m.group(1)) < batch.size()) {
                reject(batch.get(Integer.parseInt(m.group(1))).event(), m.group(2));
                refused++;
            }
        }
        int stored = Math.min(Integer.parseInt(accepted.group(1)), batch.size() - refused);
        delivered.addAndGet(stored);
        int unaccounted = batch.size() - refused - stored;
        if (unaccounted > 0) {
            failed.addAndGet(unaccounted);
        }
        finished(batch.size());
    }

    private void finished(int events) {
        finished.addAndGet(events);
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    private void reject(Event event, String error) {
        rejected.incrementAndGet();
        try {
            listener.rejected(event, error);
        } catch (RuntimeException | Error ignored) {
            // a listener's failure (an assertion, a stack overflow included) must not stop delivery
        }
    }

    private void giveUp(List<Queued> queued, String reason) {
        if (queued.isEmpty()) {
            return;
        }
        failed.addAndGet(queued.size());
        List<Event> events = queued.stream().map(Queued::event).toList();
        try {
            listener.failed(events, reason);
        } catch (RuntimeException | Error ignored) {
            // a listener's failure (an assertion, a stack overflow included) must not stop delivery
        } finally {
            finished(queued.size());
        }
    }

    private static String firstGroup(Pattern pattern, String text, String otherwise) {
        Matcher m = pattern.matcher(text == null ? "" : text);
        return m.find() ? m.group(1) : otherwise;
    }

    private static long seconds(String retryAfter) {
        try {
            return Math.max(0, Math.min(Long.parseLong(retryAfter.trim()), 3600));
        } catch (NumberFormatException e) {
            return -1; // an HTTP date: fall back to the backoff
        }
    }

    /** Settings; every one has a default. */
    public static final class Builder {
        private final URI collector;
        private HttpClient http;
        private int maxQueuedEvents = 10_000;
        private long maxQueuedBytes = 32L << 20;
        private int batchSize = 100;
        private Duration flushInterval = Duration.ofSeconds(1);
        private boolean gzip = true;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration retryInitial = Duration.ofMillis(200);
        private Duration retryMax = Duration.ofSeconds(30);
        private Duration giveUpAfter = Duration.ofMinutes(5);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private String userAgent = "footfall-client/1";
        private Listener listener = new Listener() {
        };

        private Builder(URI collector) {
            this.collector = Objects.requireNonNull(collector, "collector");
            String scheme = collector.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || collector.getHost() == null) {
                throw new IllegalArgumentException("collector: an http or https address such as https://collector.example.com, got "
                        + collector);
            }
        }

        /** Events held while the collector is slow or away (10,000); beyond them {@code send} returns false. */
        public Builder maxQueuedEvents(int n) {
            this.maxQueuedEvents = positive("maxQueuedEvents", n, Integer.MAX_VALUE);
            return this;
        }

        /**
         * Characters of JSON held while the collector is slow or away (32 MiB, about as many bytes); beyond them
         * {@code send} returns false. With {@link #maxQueuedEvents} it bounds the client's memory.
         */
        public Builder maxQueuedBytes(long n) {
            if (n < 64 * 1024) {
                throw new IllegalArgumentException("maxQueuedBytes: must be at least 65536 (one large event), got " + n);
            }
            this.maxQueuedBytes = n;
            return this;
        }

        /** Events per request (100; the collector takes at most 500 by default). */
        public Builder batchSize(int n) {
            this.batchSize = positive("batchSize", n, 100_000);
            return this;
        }

        /** Longest an event waits for its batch to fill (1 s). */
        public Builder flushInterval(Duration d) {
            this.flushInterval = positive("flushInterval", d);
            return this;
        }

        /** Compress request bodies (on). */
        public Builder gzip(boolean on) {
            this.gzip = on;
            return this;
        }

        /** Longest wait for one answer (10 s); a timeout is retried. */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = positive("requestTimeout", d);
            return this;
        }

        /** First and longest wait between tries of one batch (200 ms, doubling up to 30 s, with jitter). */
        public Builder retryBackoff(Duration initial, Duration max) {
            this.retryInitial = positive("retryBackoff initial", initial);
            this.retryMax = positive("retryBackoff max", max);
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("retryBackoff: max " + max + " is below initial " + initial);
            }
            return this;
        }

        /** How long one batch is retried before its events count as failed (5 minutes). */
        public Builder giveUpAfter(Duration d) {
            this.giveUpAfter = positive("giveUpAfter", d);
            return this;
        }

        /** How long {@link FootfallClient#close()} goes on delivering what is queued (10 s). */
        public Builder closeTimeout(Duration d) {
            this.closeTimeout = positive("closeTimeout", d);
            return this;
        }

        public Builder userAgent(String value) {
            Objects.requireNonNull(value, "userAgent");
            if (value.isBlank() || value.length() > 1024 || value.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
                throw new IllegalArgumentException("userAgent: must be 1 to 1024 printable ASCII characters (an HTTP"
                        + " header's), got '" + value + "'");
            }
            this.userAgent = value;
            return this;
        }

        public Builder listener(Listener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /** Your own HTTP client (a proxy, a trust store); it should speak HTTP/1.1. */
        public Builder httpClient(HttpClient value) {
            this.http = Objects.requireNonNull(value, "httpClient");
            return this;
        }

        /** Starts the client's thread. */
        public FootfallClient build() {
            return new FootfallClient(this);
        }

        private static int positive(String name, int n, int max) {
            if (n < 1 || n > max) {
                throw new IllegalArgumentException(name + ": must be between 1 and " + max + ", got " + n);
            }
            return n;
        }

        private static Duration positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": must be a positive duration, got " + d);
            }
            return d;
        }
    }
}
