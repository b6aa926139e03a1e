package io.footfall.app.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.standalone.Standalone;
import io.footfall.app.testing.TestBroker;
import io.footfall.client.Event;
import io.footfall.client.FootfallClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server sending through the Java client to a real standalone: every event stored once, as it was made. */
class FootfallClientIT {

    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/120.0.0.0 Safari/537.36";

    @TempDir
    Path dataDir;

    @Test
    void everyEventArrivesOnceWithItsVisitorAndProps() throws Exception {
        Map<String, String> settings = Map.of("collector.port", "0", "query.port", "0", "kafka.partitions", "3");
        try (Standalone standalone = new Standalone(TestBroker.baseConfig(dataDir, settings),
                new PrintStream(new ByteArrayOutputStream())).start()) {
            Set<String> ids = new HashSet<>();
            Event repeated;
            try (FootfallClient client = FootfallClient.builder(URI.create("http://127.0.0.1:" + standalone.collectorPort()))
                    .batchSize(50).flushInterval(Duration.ofMillis(200)).build()) {
                for (int i = 0; i < 1_000; i++) {
                    Event e = i % 10 == 0
                            ? Event.custom("client.test", "signup").url("https://client.test/join").visitorId("user-" + i % 40)
                                    .prop("plan", "pro").prop("seats", i % 5)
                            : Event.pageview("client.test", "https://client.test/p/" + i % 13).visitorId("user-" + i % 40)
                                    .userAgent(i % 2 == 0 ? BROWSER : null);
                    assertTrue(client.send(e));
                    ids.add(e.eventId());
                }
                // The same event twice, as a retry after a lost answer sends it: footfall keeps one.
                repeated = Event.pageview("client.test", "https://client.test/again").visitorId("user-1");
                client.send(repeated);
                client.send(repeated);
                ids.add(repeated.eventId());
                assertTrue(client.flush(Duration.ofSeconds(30)));
                FootfallClient.Stats stats = client.stats();
                assertEquals(1_002, stats.delivered(), "the collector took all of them, the repeat too: " + stats);
                assertEquals(0, stats.rejected() + stats.dropped() + stats.failed());
            }

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> stored(standalone).size() >= ids.size());
            await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);
            Map<String, String[]> rows = stored(standalone);
            assertEquals(ids, rows.keySet(), "every event, each once (the repeat deduplicated)");
            String[] signup = rows.values().stream().filter(r -> r[1].equals("event")).findFirst().orElseThrow();
            assertEquals("signup", signup[2]);
            assertTrue(signup[3].contains("\"plan\":\"pro\""), signup[3]);
            assertTrue(signup[0].startsWith("user-"), "the site's own visitor id is kept: " + signup[0]);
            assertEquals(100, rows.values().stream().filter(r -> r[1].equals("event")).count());
            assertEquals(Set.of("false"), rows.values().stream().map(r -> r[4]).collect(java.util.stream.Collectors.toSet()),
                    "events a server reports through the client are not counted as a bot's (the stats would leave them out)");
            Map<String, Long> browsers = rows.values().stream().collect(java.util.stream.Collectors.groupingBy(r -> r[5],
                    java.util.stream.Collectors.counting()));
            assertEquals(Map.of("Chrome", 400L, "null", 601L), browsers,
                    "the visitor's user agent when the server names it (400 page views), else none known");
        }
    }

    /** event_id → (visitor_id, type, name, props, is_bot, browser); fails when an id is stored twice. */
    private static Map<String, String[]> stored(Standalone standalone) throws Exception {
        Map<String, String[]> rows = new HashMap<>();
        long n = 0;
        try (Connection c = standalone.warehouse().readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT CAST(event_id AS VARCHAR), visitor_id, type, name, CAST(props AS VARCHAR), CAST(is_bot AS VARCHAR), browser"
                     + " FROM events WHERE site = 'client.test'")) {
            while (rs.next()) {
                rows.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        String.valueOf(rs.getString(7))});
                n++;
            }
        }
        assertEquals(rows.size(), n, "no event_id is stored twice");
        return rows;
    }
}
