package io.footfall.app.standalone;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.testing.StandaloneProcess;
import io.footfall.app.testing.TestBroker;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping standalone under load — politely (SIGTERM) or not at all (SIGKILL) — loses no event that got a
 * 202 and stores none twice: after a restart on the same data dir, every acknowledged id is in the
 * warehouse exactly once. Ids stored without a 202 (the response was lost, not the event) are allowed.
 */
class ShutdownIT {

    @TempDir
    Path dir;

    @Test
    void sigtermUnderLoadLosesNoAcknowledgedEvent() throws Exception {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Path data = dir.resolve("data");
        try (StandaloneProcess standalone = StandaloneProcess.start(data)) {
            try (Load load = Load.start(standalone.collectorPort(), acked)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 3_000);
                assertEquals(143, standalone.terminate(), "SIGTERM exits through the shutdown hook");
            }
        }
        assertAllStoredExactlyOnce(data, acked);
    }

    @Test
    void sigkillUnderLoadLosesNoAcknowledgedEvent() throws Exception {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Path data = dir.resolve("data");
        try (StandaloneProcess standalone = StandaloneProcess.start(data)) {
            try (Load load = Load.start(standalone.collectorPort(), acked)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 3_000);
                standalone.kill();
            }
        }
        assertAllStoredExactlyOnce(data, acked);
    }

    private void assertAllStoredExactlyOnce(Path data, Set<String> acked) throws Exception {
        Map<String, String> flags = new HashMap<>(Map.of("collector.port", "0", "query.port", "0", "kafka.partitions", "3"));
        try (Standalone restarted = new Standalone(TestBroker.baseConfig(data, flags),
                new PrintStream(new ByteArrayOutputStream())).start()) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> storedCounts(restarted).keySet().containsAll(acked));
            Map<String, Integer> counts = storedCounts(restarted);
            List<String> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
            assertEquals(List.of(), duplicated, "no event stored twice");
            long unacknowledged = counts.keySet().stream().filter(id -> !acked.contains(id)).count();
            System.out.printf("acknowledged=%d stored=%d stored-but-unacknowledged=%d%n", acked.size(), counts.size(),
                    unacknowledged);
            assertTrue(counts.keySet().containsAll(acked));
        }
    }

    private static Map<String, Integer> storedCounts(Standalone standalone) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = standalone.warehouse().readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT CAST(event_id AS VARCHAR), count(*) FROM events GROUP BY 1")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
        }
        return counts;
    }

    /** Two client threads posting 20-event batches with client ids; records the ids of each 202. */
    private static final class Load implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads;

        private Load(List<Thread> threads) {
            this.threads = threads;
        }

        static Load start(int port, Set<String> acked) {
            Load[] holder = new Load[1];
            List<Thread> threads = List.of(new Thread(() -> post(port, acked, holder)), new Thread(() -> post(port, acked, holder)));
            holder[0] = new Load(threads);
            threads.forEach(Thread::start);
            return holder[0];
        }

        private static void post(int port, Set<String> acked, Load[] holder) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            while (holder[0] == null || holder[0].running.get()) {
                List<String> ids = java.util.stream.Stream.generate(() -> UUID.randomUUID().toString()).limit(20).toList();
                StringBuilder body = new StringBuilder("[");
                for (String id : ids) {
                    body.append(body.length() > 1 ? "," : "").append("{\"site\":\"crash.test\",\"type\":\"pageview\",\"event_id\":\"")
                            .append(id).append("\",\"url\":\"https://crash.test/\"}");
                }
                body.append(']');
                try {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 202) {
                        acked.addAll(ids);
                    }
                } catch (Exception e) {
                    if (holder[0] != null && !holder[0].running.get()) {
                        return;
                    }
                    // the server went away mid-request: those ids were never acknowledged
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(15_000);
            }
        }
    }
}
