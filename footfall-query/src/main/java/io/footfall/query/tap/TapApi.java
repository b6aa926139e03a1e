package io.footfall.query.tap;

import com.sun.net.httpserver.HttpExchange;
import io.footfall.core.config.KafkaConfig;
import io.footfall.query.http.Exchanges;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/tap?topic=raw|events|bad&site=&filter=} as server-sent events. Each client gets its own
 * thread and {@link TapStream} from a pool of {@code query.tapMaxClients}; one more is answered 503 at
 * once. Tap threads are separate from the query pool, so long-lived streams never starve the stats API.
 * A client that goes away is noticed at the next write or heartbeat (every 2 s) and its consumer closed.
 */
public final class TapApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TapApi.class);

    private final KafkaConfig kafka;
    private final Clock clock;
    private final ThreadPoolExecutor executor;
    private final Set<TapStream> open = ConcurrentHashMap.newKeySet();

    public TapApi(KafkaConfig kafka, int maxClients, Clock clock) {
        this.kafka = kafka;
        this.clock = clock;
        this.executor = new ThreadPoolExecutor(0, maxClients, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "footfall-tap");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Called on the HTTP dispatcher thread: validates, then hands the stream to a tap thread. */
    public void dispatch(HttpExchange exchange) throws IOException {
        Map<String, String> params;
        try {
            params = Exchanges.params(exchange);
        } catch (io.footfall.query.http.BadParameterException e) {
            Exchanges.error(exchange, 400, "bad_parameter", e.getMessage());
            return;
        }
        for (String name : params.keySet()) {
            if (!Set.of("topic", "site", "filter").contains(name)) {
                Exchanges.error(exchange, 400, "bad_parameter", name + ": unknown parameter; known: filter, site, topic");
                return;
            }
        }
        TapTopic topic = TapTopic.fromWire(params.getOrDefault("topic", "events"));
        if (topic == null) {
            Exchanges.error(exchange, 400, "bad_parameter", "topic: must be one of raw, events, bad");
            return;
        }
        String site = params.get("site");
        if (site != null && !site.isEmpty() && !site.matches("[a-z0-9._-]{1,64}")) {
            Exchanges.error(exchange, 400, "bad_parameter", "site: must match [a-z0-9._-]{1,64}");
            return;
        }
        String grep = params.get("filter");
        if (grep != null && grep.length() > 256) {
            Exchanges.error(exchange, 400, "bad_parameter", "filter: at most 256 characters");
            return;
        }
        try {
            executor.execute(() -> stream(exchange, topic, new TapFilter(site, grep)));
        } catch (RejectedExecutionException e) {
            exchange.getResponseHeaders().set("Retry-After", "5");
            Exchanges.error(exchange, 503, "too_many_taps", "all live-tap slots are in use (query.tapMaxClients)");
        }
    }

    private void stream(HttpExchange exchange, TapTopic topic, TapFilter filter) {
        TapStream stream;
        try {
            stream = new TapStream(kafka, topic, filter, clock);
        } catch (KafkaException e) {
            error(exchange, "the stream cannot be reached");
            return;
        }
        open.add(stream);
        try {
            stream.startAtEnd();
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            write(out, ": footfall tap of " + topic.topic() + "\nretry: 3000\n\n");
            LOG.info("event=tap_opened topic={}", topic.topic());
            stream.run(new SseSink(out));
        } catch (IOException e) {
            // the client went away: the normal end of a tap
        } catch (KafkaException | IllegalStateException e) {
            LOG.warn("event=tap_failed topic={} error=\"{}\"", topic.topic(), e.getMessage());
            error(exchange, "the stream cannot be reached");
        } finally {
            open.remove(stream);
            stream.close();
            exchange.close();
            LOG.info("event=tap_closed topic={}", topic.topic());
        }
    }

    private static void error(HttpExchange exchange, String detail) {
        try {
            Exchanges.error(exchange, 503, "stream_unavailable", detail);
        } catch (IOException | RuntimeException e) {
            exchange.close();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Writes each record as one SSE event named by its kind; the JSON has no newlines. */
    private record SseSink(OutputStream out) implements TapStream.Sink {
        @Override
        public void record(TapRecord r) throws IOException {
            write(out, "event: " + r.kind() + "\ndata: " + r.json() + "\n\n");
        }

        @Override
        public void heartbeat() throws IOException {
            write(out, ": ping\n\n");
        }

        @Override
        public void skipped(long records) throws IOException {
            write(out, "event: skipped\ndata: {\"skipped\":" + records + "}\n\n");
        }
    }

    public int openStreams() {
        return open.size();
    }

    @Override
    public void close() {
        open.forEach(TapStream::stop);
        executor.shutdown();
        try {
            executor.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }
}
