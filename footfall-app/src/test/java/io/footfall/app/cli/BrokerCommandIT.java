package io.footfall.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.core.config.KafkaConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code footfall broker} in a child JVM, as a user starts it for a local cluster and stops it with Ctrl-C. */
class BrokerCommandIT {

    @TempDir
    Path dir;

    @Test
    void startsWithTheTopicsWritesItsAddressAndStopsCleanlyOnSigterm() throws Exception {
        Process broker = broker("stderr.log", "--partitions", "2");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8))) {
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("footfall: broker ready at 127.0.0.1:"), "ready line: " + ready);
            String address = ready.split(" ")[4];
            assertEquals(address, Files.readString(dir.resolve("kafka").resolve("bootstrap.servers")).trim());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address))) {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertTrue(topics.containsAll(List.of(KafkaConfig.RAW_TOPIC, KafkaConfig.EVENTS_TOPIC, KafkaConfig.BAD_TOPIC)), topics.toString());
                assertEquals(2, admin.describeTopics(List.of(KafkaConfig.RAW_TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(KafkaConfig.RAW_TOPIC).partitions().size());
            }
            broker.toHandle().destroy(); // SIGTERM; Process.destroy() would also close the streams read below
            assertTrue(broker.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM");
            // Like the standalone, a role says that it stops and that it has stopped (read once it has exited:
            // the two lines wait in the pipe).
            assertEquals(List.of("footfall: stopping the broker", "footfall: broker stopped"), out.lines().toList());
            assertEquals(143, broker.exitValue(), "SIGTERM exits through the shutdown hook");
            assertFalse(Files.exists(dir.resolve("kafka").resolve("bootstrap.servers")), "the address file is removed on a clean stop");
        } finally {
            broker.destroyForcibly();
        }
        // Started again without --partitions: the ready line gives the topics' count, not the default of 6.
        String ready = firstLines(broker("stderr-again.log"), 1).get(0);
        assertTrue(ready != null && ready.endsWith(", 2 partitions)"), "ready line after a restart: " + ready);
        // Asked for another count: the topics keep theirs, and the start says so instead of passing over it.
        List<String> changed = firstLines(broker("stderr-changed.log", "--partitions", "3"), 2);
        assertEquals("footfall: footfall.raw exists with 2 partitions; kafka.partitions (3) applies only to topics footfall "
                + "creates, so 2 it stays (docs/deploy.md, \"Kafka\")", changed.get(0));
        assertTrue(changed.get(1) != null && changed.get(1).endsWith(", 2 partitions)"),
                "ready line with another count asked for: " + changed.get(1));
        // The roles' file says 14 days for footfall.raw, but the topic was made with the default 7: the start says so,
        // since both replay's reach and how long raw events stay (a privacy rule may count on it) are the topic's.
        List<String> longer = linesUntilReady(broker("stderr-retention.log", "--set", "kafka.rawRetention=14d"));
        assertEquals(2, longer.size(), "a note, then the ready line: " + longer);
        assertEquals("footfall: footfall.raw exists with a retention of 168 h; kafka.rawRetention (336 h) applies only to topics "
                + "footfall creates, so it keeps events for 168 h (change it with Kafka's kafka-configs.sh: retention.ms; "
                + "docs/deploy.md, \"Kafka\")", longer.get(0));
    }

    /** What a broker prints up to and with its ready line (all of it, should it stop first); then it is stopped. */
    private static List<String> linesUntilReady(Process broker) throws java.io.IOException, InterruptedException {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> lines = new java.util.ArrayList<>();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
                if (line.startsWith("footfall: broker ready")) {
                    break;
                }
            }
            return lines;
        } finally {
            broker.destroy();
            broker.waitFor(60, TimeUnit.SECONDS);
            broker.destroyForcibly();
        }
    }

    /** The first {@code n} lines a broker prints; then it is stopped. */
    private static List<String> firstLines(Process broker, int n) throws java.io.IOException, InterruptedException {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> lines = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                lines.add(out.readLine());
            }
            return lines;
        } finally {
            broker.destroy();
            broker.waitFor(60, TimeUnit.SECONDS);
            broker.destroyForcibly();
        }
    }

    /** {@code footfall broker} on this test's data directory and any free port, in a child JVM. */
    private Process broker(String stderrLog, String... extra) throws java.io.IOException {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.footfall.app.Main", "broker",
                "--data-dir", dir.toString(), "--port", "0"));
        command.addAll(List.of(extra));
        return new ProcessBuilder(command).redirectError(dir.resolve(stderrLog).toFile()).start();
    }
}
