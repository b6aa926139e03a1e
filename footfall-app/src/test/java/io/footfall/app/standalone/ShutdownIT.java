package io.footfall.app.standalone;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.reliability.AckedLoad;
import io.footfall.app.reliability.StandaloneProcess;
import io.footfall.app.testing.TestBroker;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping standalone under load with SIGTERM (Ctrl-C) loses no event that got a 202 and stores none twice:
 * after a restart on the same data dir, every acknowledged id is in the warehouse exactly once. Ids stored
 * without a 202 (the response was lost, not the event) are allowed. The SIGKILL case is {@code CrashSuiteIT}.
 */
class ShutdownIT {

    @TempDir
    Path dir;

    @Test
    void sigtermUnderLoadLosesNoAcknowledgedEvent() throws Exception {
        Path data = dir.resolve("data");
        Set<String> acked;
        try (StandaloneProcess standalone = StandaloneProcess.start(data);
             AckedLoad load = AckedLoad.start(standalone.collectorPort(), 2)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged().size() >= 3_000);
            assertEquals(143, standalone.terminate(), "SIGTERM exits through the shutdown hook");
            load.close();
            acked = Set.copyOf(load.acknowledged());
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

    /** How many times each event id is stored in the standalone's warehouse (BackupIT's check too). */
    static Map<String, Integer> storedCounts(Standalone standalone) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = standalone.warehouse().readConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT CAST(event_id AS VARCHAR), count(*) FROM events GROUP BY 1")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
        }
        return counts;
    }
}
