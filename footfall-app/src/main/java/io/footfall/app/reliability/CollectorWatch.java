package io.footfall.app.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches a collector from outside while a suite runs, as a load balancer and a metrics scraper would:
 * {@code /health/ready} and {@code /metrics} (heap, in-flight bytes) every 200 ms. Keeps the readiness
 * changes and the peaks.
 */
final class CollectorWatch implements AutoCloseable {

    /** A readiness change: the new status (-1: no answer) at this many ms after the watch started. */
    record Change(long atMs, int status) {
    }

    private static final Duration EVERY = Duration.ofMillis(200);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final int port;
    private final long startNanos = System.nanoTime();
    private final List<Change> changes = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peakHeapUsed;
    private volatile long heapMax = -1;
    private volatile long peakInflightBytes;

    CollectorWatch(int port) {
        this.port = port;
        this.thread = new Thread(this::watch, "collector-watch");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void watch() {
        int last = Integer.MIN_VALUE;
        while (running) {
            int status = status("/health/ready");
            if (status != last) {
                changes.add(new Change(elapsedMs(), status));
                last = status;
            }
            scrapeMetrics();
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private int status(String path) {
        try {
            return get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private void scrapeMetrics() {
        try {
            HttpResponse<String> r = get("/metrics");
            if (r.statusCode() != 200) {
                return;
            }
            PrometheusText metrics = new PrometheusText(r.body());
            long heapUsed = (long) metrics.sum("jvm_memory_used_bytes", l -> l.contains("area=\"heap\""));
            peakHeapUsed = Math.max(peakHeapUsed, heapUsed);
            // G1 reports -1 for eden and survivor; the old generation's max is the -Xmx bound
            heapMax = Math.max(heapMax, (long) metrics.max("jvm_memory_max_bytes", l -> l.contains("area=\"heap\"")));
            peakInflightBytes = Math.max(peakInflightBytes,
                    (long) metrics.sum("footfall_collector_inflight_bytes", l -> true));
        } catch (Exception e) {
            // the collector is restarting or busy; the next scrape counts
        }
    }

    long elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** The first change to {@code status} at or after {@code fromMs}, if any. */
    java.util.Optional<Change> firstChangeTo(int status, long fromMs) {
        return changes.stream().filter(c -> c.atMs() >= fromMs && c.status() == status).findFirst();
    }

    /** The readiness status at the last poll, or -1 before the first. */
    int readiness() {
        return changes.isEmpty() ? -1 : changes.get(changes.size() - 1).status();
    }

    List<Change> changes() {
        return List.copyOf(changes);
    }

    long peakHeapUsed() {
        return peakHeapUsed;
    }

    long heapMax() {
        return heapMax;
    }

    long peakInflightBytes() {
        return peakInflightBytes;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
