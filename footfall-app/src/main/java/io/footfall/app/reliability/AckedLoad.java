package io.footfall.app.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Load whose every event carries a client-made id, recording exactly which ids got a 202, how every request
 * was answered and how long a 503 took. The collector may be killed and restarted under it: failed requests
 * are simply not acknowledged, and the load carries on against the same port.
 */
public final class AckedLoad implements AutoCloseable {

    public static final String SITE = "crash.test";
    private static final int BATCH = 20;
    private static final long CATCH_UP_LIMIT_NANOS = Duration.ofMillis(100).toNanos();

    private final int port;
    private final Duration requestTimeout;
    private final long nanosPerRequest;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong failedRequests = new AtomicLong();
    private final Map<Integer, LongAdder> statuses = new ConcurrentSkipListMap<>();
    private final LongAdder transportErrors = new LongAdder();
    private final LatencySamples unavailableLatency = new LatencySamples(1_000_000);
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    private AckedLoad(int port, Duration requestTimeout, long nanosPerRequest) {
        this.port = port;
        this.requestTimeout = requestTimeout;
        this.nanosPerRequest = nanosPerRequest;
    }

    public static AckedLoad start(int port, int connections) {
        return start(port, connections, Duration.ofSeconds(10), 0);
    }

    /**
     * @param requestTimeout how long a request may go unanswered before it counts as a transport error (a hang,
     *                       when the collector is up); above the collector's delivery timeout for outage tests
     * @param eventsPerSecond at most this many events a second over all connections; 0: as fast as answered
     */
    public static AckedLoad start(int port, int connections, Duration requestTimeout, int eventsPerSecond) {
        long nanosPerRequest = eventsPerSecond <= 0 ? 0 : 1_000_000_000L * BATCH * connections / eventsPerSecond;
        AckedLoad load = new AckedLoad(port, requestTimeout, nanosPerRequest);
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(load::post, "acked-load-" + i);
            t.setDaemon(true);
            load.threads.add(t);
            t.start();
        }
        return load;
    }

    private void post() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/events");
        long next = System.nanoTime();
        while (running) {
            // paced, without a burst to make up for time spent waiting on a slow answer
            long now = System.nanoTime();
            next = Math.max(next + nanosPerRequest, now - CATCH_UP_LIMIT_NANOS);
            LockSupport.parkNanos(next - now);
            List<String> ids = new ArrayList<>(BATCH);
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < BATCH; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                body.append(i == 0 ? "" : ",").append("{\"site\":\"").append(SITE).append("\",\"type\":\"pageview\",\"event_id\":\"")
                        .append(id).append("\",\"url\":\"https://").append(SITE).append("/\"}");
            }
            body.append(']');
            long t0 = System.nanoTime();
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                        .timeout(requestTimeout).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                long micros = (System.nanoTime() - t0) / 1_000;
                statuses.computeIfAbsent(r.statusCode(), s -> new LongAdder()).increment();
                if (r.statusCode() == 503) {
                    unavailableLatency.add(micros);
                }
                if (r.statusCode() == 202) {
                    acknowledged.addAll(ids);
                } else {
                    failedRequests.incrementAndGet();
                    LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the collector is down or went away mid-request: these ids were never acknowledged
                failedRequests.incrementAndGet();
                transportErrors.increment();
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
        }
    }

    /** The ids acknowledged so far (live view). */
    public Set<String> acknowledged() {
        return acknowledged;
    }

    public long failedRequests() {
        return failedRequests.get();
    }

    /** Answers by HTTP status so far, in status order. */
    public Map<Integer, Long> statuses() {
        Map<Integer, Long> out = new TreeMap<>();
        statuses.forEach((status, n) -> out.put(status, n.sum()));
        return out;
    }

    /** Requests that got no HTTP answer at all: refused, reset, or not answered within the request timeout. */
    public long transportErrors() {
        return transportErrors.sum();
    }

    /** Time from sending a request to its 503 answer. */
    public LatencySamples unavailableLatency() {
        return unavailableLatency;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(15_000);
        }
    }
}
