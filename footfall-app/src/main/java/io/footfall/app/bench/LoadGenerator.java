package io.footfall.app.bench;

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
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.GZIPOutputStream;

/**
 * Closed-loop HTTP load: {@code connections} threads, each with its own client and connection, posting
 * batches of events (JSON array, optionally gzip). With a target rate, each thread paces itself to its
 * share of it; without one, it sends as fast as the collector answers.
 */
final class LoadGenerator implements AutoCloseable {

    /**
     * @param ratePerSecond events/s across all connections; 0 = as fast as possible
     */
    record Options(URI collector, int connections, int batchSize, boolean gzip, double ratePerSecond) {
    }

    private final Options options;
    private final EventMix mix;
    private final LongAdder sent = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder transportErrors = new LongAdder();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    LoadGenerator(Options options, EventMix mix) {
        this.options = options;
        this.mix = mix;
    }

    void start() {
        for (int i = 0; i < options.connections(); i++) {
            long seed = 0x5eedL * (i + 1);
            int connection = i;
            Thread t = new Thread(() -> work(new SplittableRandom(seed), connection), "bench-load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void work(SplittableRandom random, int connection) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        long intervalNanos = options.ratePerSecond() <= 0 ? 0
                : (long) (1e9 * options.batchSize() * options.connections() / options.ratePerSecond());
        // The connections take turns: connection i sends first at (i + 1) / connections of an interval, so a low
        // rate is an even stream rather than a burst of every connection at once, and a run of d seconds sends
        // d × rate events (not one extra batch per connection at time 0).
        long next = System.nanoTime() + intervalNanos / options.connections() * (connection + 1);
        while (running) {
            if (intervalNanos > 0) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                next += intervalNanos;
            }
            StringBuilder body = new StringBuilder(options.batchSize() * 360).append('[');
            for (int i = 0; i < options.batchSize(); i++) {
                if (i > 0) {
                    body.append(',');
                }
                mix.appendEvent(body, random);
            }
            body.append(']');
            send(client, body.toString(), mix.userAgent(random));
        }
    }

    private void send(HttpClient client, String body, String userAgent) {
        HttpRequest.Builder request = HttpRequest.newBuilder(options.collector())
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("User-Agent", userAgent);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (options.gzip()) {
            bytes = gzip(bytes);
            request.header("Content-Encoding", "gzip");
        }
        sent.add(options.batchSize());
        try {
            HttpResponse<String> response = client.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                    HttpResponse.BodyHandlers.ofString());
            statuses.computeIfAbsent(response.statusCode(), s -> new LongAdder()).increment();
            if (response.statusCode() == 202) {
                accepted.add(acceptedCount(response.body()));
            } else if (response.statusCode() == 503 || response.statusCode() == 429) {
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
        } catch (IOException e) {
            transportErrors.increment();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Reads n from {@code {"accepted":n,...}} without a JSON library on the hot path. */
    static long acceptedCount(String body) {
        int at = body.indexOf("\"accepted\":");
        if (at < 0) {
            return 0;
        }
        long n = 0;
        for (int i = at + 11; i < body.length() && Character.isDigit(body.charAt(i)); i++) {
            n = n * 10 + (body.charAt(i) - '0');
        }
        return n;
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    long sent() {
        return sent.sum();
    }

    long accepted() {
        return accepted.sum();
    }

    long transportErrors() {
        return transportErrors.sum();
    }

    long status(int code) {
        LongAdder adder = statuses.get(code);
        return adder == null ? 0 : adder.sum();
    }

    Map<Integer, Long> statuses() {
        Map<Integer, Long> out = new TreeMap<>();
        statuses.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(35_000);
        }
    }
}
