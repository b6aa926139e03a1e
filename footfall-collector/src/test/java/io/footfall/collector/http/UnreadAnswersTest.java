package io.footfall.collector.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.collector.CollectorServer;
import io.footfall.core.config.CollectorConfig;
import io.footfall.core.config.Settings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A client that pipelines requests and never reads the answers, over a real socket: the collector stops reading it
 * once its answers back up (instead of making every answer and holding them all in memory), the other connections
 * are served meanwhile, and every answer is there, in order, when the client reads at last.
 */
class UnreadAnswersTest {

    /** Below the 128 pipelined requests Netty's codec lets wait before it closes the connection. */
    private static final int REQUESTS = 100;
    /** A large answer (/metrics, which anyone may ask for, is tens of KB on a running collector): 20 MB in all. */
    private static final String METRICS = "# footfall\n" + "x".repeat(200 * 1024) + "\n";

    @Test
    void aClientThatDoesNotReadIsNotReadEitherAndNothingElseWaits() throws Exception {
        AtomicInteger made = new AtomicInteger();
        RecordingSink sink = new RecordingSink();
        CollectorConfig config = CollectorConfig.from(Settings.of(Map.of("collector.host", "127.0.0.1", "collector.port", "0",
                "collector.idleTimeout", "60s", "collector.readTimeout", "60s")));
        CollectorServer server = new CollectorServer(config, sink, new SimpleMeterRegistry(), () -> {
            made.incrementAndGet();
            return METRICS;
        });
        try (Socket greedy = new Socket()) {
            int port = server.start();
            greedy.setReceiveBufferSize(4096);
            greedy.connect(new InetSocketAddress("127.0.0.1", port));
            byte[] one = "GET /metrics HTTP/1.1\r\nHost: c\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = greedy.getOutputStream();
                    for (int i = 0; i < REQUESTS; i++) {
                        out.write(one); // blocks once the collector stops reading this connection
                    }
                    out.flush();
                } catch (Exception e) {
                    // the socket closed under the blocked write at the end of the test
                }
            }, "greedy-writer");
            writer.setDaemon(true);
            writer.start();

            // Until the collector has stopped making answers (the same count at two looks 300 ms apart): it has paused
            // this connection, or (without the pause) made every answer.
            AtomicInteger seen = new AtomicInteger(-1);
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                    .until(() -> made.get() > 0 && made.get() == seen.getAndSet(made.get()));
            int madeWhileUnread = made.get();
            // What the kernel's socket buffers hold (a few MB) plus Netty's 64 KB high-water mark: some answers, not
            // all 100 (20 MB) of them.
            assertTrue(madeWhileUnread < REQUESTS / 2, "answers made for a client that reads none: " + madeWhileUnread);

            for (int i = 0; i < 4; i++) { // both event loops serve others meanwhile
                HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events")).timeout(Duration.ofSeconds(5))
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"site\":\"shop.test\",\"type\":\"pageview\",\"url\":\"https://shop.test/\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(202, r.statusCode());
            }
            assertEquals(4, sink.events.size());

            // The client reads at last: every answer comes, in order, none lost while reading was paused.
            greedy.setSoTimeout(30_000);
            InputStream in = greedy.getInputStream();
            byte[] status = "HTTP/1.1 200 OK".getBytes(StandardCharsets.US_ASCII);
            byte[] buffer = new byte[64 * 1024];
            int answers = 0;
            int matched = 0;
            while (answers < REQUESTS) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    matched = buffer[i] == status[matched] ? matched + 1 : (buffer[i] == status[0] ? 1 : 0);
                    if (matched == status.length) {
                        answers++;
                        matched = 0;
                    }
                }
            }
            assertEquals(REQUESTS, answers);
            assertEquals(REQUESTS, made.get());
        } finally {
            server.close();
        }
    }
}
