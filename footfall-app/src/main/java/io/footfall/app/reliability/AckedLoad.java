package io.footfall.app.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Load whose every event carries a client-made id, recording exactly which ids got a 202. The collector
 * may be killed and restarted under it: failed requests are simply not acknowledged, and the load carries
 * on against the same port.
 */
public final class AckedLoad implements AutoCloseable {

    public static final String SITE = "crash.test";
    private static final int BATCH = 20;

    private final int port;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong failedRequests = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    private AckedLoad(int port) {
        this.port = port;
    }

    public static AckedLoad start(int port, int connections) {
        AckedLoad load = new AckedLoad(port);
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
        while (running) {
            List<String> ids = new ArrayList<>(BATCH);
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < BATCH; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                body.append(i == 0 ? "" : ",").append("{\"site\":\"").append(SITE).append("\",\"type\":\"pageview\",\"event_id\":\"")
                        .append(id).append("\",\"url\":\"https://").append(SITE).append("/\"}");
            }
            body.append(']');
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
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

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(15_000);
        }
    }
}
