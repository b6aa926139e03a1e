package io.footfall.app.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Measures freshness as a user sees it: sends one marker page view to its own site, and times from its
 * 202 until the query API counts it. Markers go one at a time, so each measurement is independent.
 *
 * <p>Each marker is a visitor of its own (its own {@code visitor_id}), so it opens a session of its own, and
 * the poll asks for the sessions of the marker site that started in the last {@link #LOOK_BACK}: DuckDB then
 * reads only the newest part of the sessions rollup (its row groups' min/max of {@code started_at}), not
 * every session since the run began, which at 10,000 events/s took ~15 % of the 2 cores by the end of a
 * 60 s run. The look-back also bounds the clock difference allowed between this machine and the collector.
 */
final class FreshnessProbe implements AutoCloseable {

    /**
     * Resolution of a measurement. Polling is load on the system measured: every 20 ms it took ~7 % of the 2
     * cores at 6,000 events/s (69 % against 76 % of CPU with 100 ms, back to back).
     */
    private static final Duration POLL = Duration.ofMillis(50);
    /** A browser's: the Java client's own user agent is classified as a bot, and bots are left out of stats. */
    private static final String MARKER_USER_AGENT = EventMix.USER_AGENTS.get(0);
    private static final Duration GIVE_UP = Duration.ofSeconds(60);
    private static final Duration LOOK_BACK = Duration.ofMinutes(2);
    /** Between markers, and after a failed request: the probe's own thread, never a server's. */
    private static final Duration PAUSE = Duration.ofMillis(200);

    private final URI collector;
    private final URI query;
    private final String site = "marker-" + UUID.randomUUID().toString().substring(0, 8) + ".bench";
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Long> samplesMs = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lastMs = -1;

    FreshnessProbe(URI collector, URI query) {
        this.collector = collector;
        this.query = query;
        this.thread = new Thread(this::run, "bench-freshness");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                String marker = UUID.randomUUID().toString();
                String body = "{\"site\":\"" + site + "\",\"type\":\"pageview\",\"url\":\"https://" + site + "/\","
                        + "\"visitor_id\":\"" + marker + "\"}";
                Instant from = Instant.now().minus(LOOK_BACK);
                // Earlier markers (each visible before the next is sent) may still be in the window.
                long before = pageviews(from);
                if (before < 0) {
                    Thread.sleep(PAUSE.toMillis());
                    continue;
                }
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(collector).header("Content-Type", "application/json")
                        .header("User-Agent", MARKER_USER_AGENT)
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 202) {
                    Thread.sleep(PAUSE.toMillis());
                    continue;
                }
                long ackedAt = System.nanoTime();
                long deadline = ackedAt + GIVE_UP.toNanos();
                while (running && System.nanoTime() < deadline && pageviews(from) <= before) {
                    Thread.sleep(POLL.toMillis());
                }
                if (!running) {
                    return;
                }
                lastMs = (System.nanoTime() - ackedAt) / 1_000_000;
                samplesMs.add(lastMs);
                Thread.sleep(PAUSE.toMillis());
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // collector or query server briefly unavailable: try the next marker
            }
        }
    }

    /**
     * Page views of the marker site in sessions started since {@code from} (-1 if the query failed). The
     * range ends a minute from now, so the previous period the summary also computes is short as well.
     */
    private long pageviews(Instant from) throws Exception {
        URI uri = query.resolve("/api/stats/summary?site=" + site + "&from=" + from + "&to=" + Instant.now().plusSeconds(60));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return -1;
        }
        return LoadGenerator.acceptedCount(r.body().replace("\"pageviews\":", "\"accepted\":"));
    }

    /** The site the markers go to, one per run. */
    String site() {
        return site;
    }

    long lastMs() {
        return lastMs;
    }

    /** Percentile of the samples so far (nearest rank), or -1 without samples. */
    long percentile(double p) {
        List<Long> copy;
        synchronized (samplesMs) {
            copy = new ArrayList<>(samplesMs);
        }
        if (copy.isEmpty()) {
            return -1;
        }
        Collections.sort(copy);
        int rank = (int) Math.ceil(p / 100.0 * copy.size());
        return copy.get(Math.max(0, Math.min(copy.size() - 1, rank - 1)));
    }

    int samples() {
        return samplesMs.size();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
