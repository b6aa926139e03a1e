package io.footfall.app.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.loader.LoaderFixtures;
import io.footfall.app.reliability.StandaloneProcess;
import io.footfall.app.testing.TestBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C (SIGTERM) while {@code footfall standalone} is still starting — the broker and loader up, the enricher
 * starting: the process stops what had started, in order, as it does once running, instead of exiting under a
 * half-started broker and warehouse.
 */
class StartupSigtermIT {

    @TempDir
    Path dir;

    @Test
    void sigtermDuringStartStopsWhatHadStartedCleanly() throws Exception {
        Path data = dir.resolve("data");
        Path stderr = dir.resolve("stderr.log");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-cp", System.getProperty("java.class.path"), "io.footfall.app.Main", "standalone",
                "--data-dir", data.toString(), "--collector-port", Integer.toString(StandaloneProcess.freePort()),
                "--admin-port", Integer.toString(StandaloneProcess.freePort()), "--partitions", "3");
        Process standalone = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(standalone.getInputStream(), StandardCharsets.UTF_8))) {
            readUntil(out, "footfall: loader ready", stderr);
            // The enricher starts next, which takes seconds (its user-agent parser, joining its group): stop now.
            standalone.toHandle().destroy(); // SIGTERM; Process.destroy() would also close the stream read below
            assertTrue(standalone.waitFor(90, TimeUnit.SECONDS), "stops on SIGTERM during start-up");
            List<String> after = out.lines().toList();
            assertEquals(143, standalone.exitValue(), "SIGTERM exits through the shutdown hook; stdout after it: " + after);
            assertTrue(after.contains("footfall: stopping: start-up ends after the step under way"), after.toString());
            assertFalse(after.stream().anyMatch(l -> l.contains("standalone ready") || l.contains("collector ready")),
                    "nothing more starts: " + after);
        } finally {
            standalone.destroyForcibly();
        }
        assertTrue(Files.readString(stderr).contains("footfall: cannot start: stopped (SIGTERM or Ctrl-C) before it was ready"),
                "says why it did not start:\n" + Files.readString(stderr));
        // What had started was closed: the broker shut down cleanly (it marks its log directory so, and the next
        // start skips log recovery), and removed the address file it wrote for other processes.
        assertTrue(Files.exists(data.resolve("kafka").resolve(".kafka_cleanshutdown")), "the broker's clean-shutdown mark");
        assertFalse(Files.exists(data.resolve("kafka").resolve("bootstrap.servers")), "the broker's address file is removed");
    }

    /**
     * A role waiting for a cluster that does not answer (given ten minutes, kafka.startTimeout) stops on SIGTERM
     * then, saying so, rather than when the wait ends, or silently.
     */
    @ParameterizedTest
    @ValueSource(strings = {"loader", "collector", "enricher"})
    void sigtermWhileARoleWaitsForKafkaStopsTheWait(String role) throws Exception {
        Path stderr = dir.resolve(role + "-stderr.log");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "io.footfall.app.Main", role,
                "--set", "kafka.bootstrapServers=127.0.0.1:1", "--set", "kafka.startTimeout=10m",
                "--set", "dataDir=" + dir.resolve(role), "--set", "query.port=0", "--set", "collector.port=0",
                "--set", "enricher.adminPort=0");
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            readUntil(out, "footfall: waiting for Kafka at 127.0.0.1:1", stderr);
            process.toHandle().destroy(); // SIGTERM
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM while waiting for Kafka (not after 10 min)");
            List<String> after = out.lines().toList();
            assertEquals(143, process.exitValue(), "stdout after SIGTERM: " + after);
            assertTrue(after.contains("footfall: stopping: start-up ends after the step under way"), after.toString());
        } finally {
            process.destroyForcibly();
        }
        String err = Files.readString(stderr);
        assertTrue(err.contains("footfall: cannot start: stopped (SIGTERM or Ctrl-C) before it was ready"), err);
        assertFalse(err.contains("did not answer"), "the reason is the signal, not Kafka: " + err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
    }

    /**
     * A step that waits without end and does not look for a stop itself — a PostgreSQL loader waiting for another
     * process's migrations — is interrupted a while after SIGTERM, and the process exits, rather than after the
     * other process lets go (which may be never).
     */
    @Test
    void sigtermWhileALoaderWaitsForAnotherProcesssMigrationsEndsTheWait() throws Exception {
        String schema = LoaderFixtures.freshSchema("sigterm");
        Path stderr = dir.resolve("pg-loader-stderr.log");
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 1);
             Connection other = LoaderFixtures.postgres(); Statement st = other.createStatement()) {
            st.execute("SELECT pg_advisory_lock(hashtext('footfall.migrations." + schema + "'))");
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), "io.footfall.app.Main", "loader",
                    "--set", "kafka.bootstrapServers=" + broker.bootstrapServers(), "--set", "dataDir=" + dir.resolve("pg"),
                    "--set", "query.port=0", "--set", "loader.warehouse=postgres", "--set", "loader.jdbcUrl=" + LoaderFixtures.PG_URL,
                    "--set", "loader.user=postgres", "--set", "loader.schema=" + schema);
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).redirectOutput(dir.resolve("pg-out.log").toFile())
                    .start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive()
                        || Files.readString(stderr).contains("event=migrations_waiting"));
                assertTrue(process.isAlive(), "waits for the lock:\n" + Files.readString(stderr));
                process.toHandle().destroy(); // SIGTERM
                assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exits on SIGTERM though the lock is still held");
                assertEquals(143, process.exitValue());
            } finally {
                process.destroyForcibly();
            }
            String err = Files.readString(stderr);
            assertTrue(err.contains("footfall: cannot start: stopped (SIGTERM or Ctrl-C) before it was ready"), err);
            assertFalse(err.contains("migration_applied"), "no migration ran: " + err);
        } finally {
            LoaderFixtures.dropSchema(schema);
        }
    }

    /** Reads stdout up to the first line starting with {@code prefix}; fails with what came instead. */
    private static void readUntil(BufferedReader out, String prefix, Path stderr) throws java.io.IOException {
        List<String> before = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null && !line.startsWith(prefix)) {
            before.add(line);
        }
        assertTrue(line != null, "no line '" + prefix + "…'; got " + before + ", stderr:\n" + Files.readString(stderr));
    }
}
