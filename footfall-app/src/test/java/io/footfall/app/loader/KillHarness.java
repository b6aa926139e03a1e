package io.footfall.app.loader;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.footfall.app.testing.TestBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link LoaderChild} in separate JVMs over one pre-filled {@code footfall.events}, kills it with
 * SIGKILL at five different moments of a batch, restarts it, and lets the last run drain the topic.
 */
final class KillHarness {

    /** 30,000 records, of which 3,000 repeat an earlier event id (at-least-once upstream). */
    static final int RECORDS = 30_000;
    static final int UNIQUE = 27_000;
    /**
     * How long after a run's second {@code @@writing} marker the kill lands. The child holds each batch for
     * {@link LoaderChild#WINDOW_MS} before its transaction: 0–45 ms kill a consumed batch before it is
     * written, 60 ms lands in or just after the transaction, 120 ms after a commit, mid-way to the next batch.
     * On PostgreSQL the child runs two writers, so the second marker may be either one's: the kill then lands at
     * that moment of one writer's batch while the other is anywhere in its own.
     */
    static final long[] KILL_DELAYS_MS = {0, 20, 45, 60, 120};
    private static final long RUN_TIMEOUT_S = 60;

    private KillHarness() {
    }

    static void fill(TestBroker broker) {
        LoaderFixtures.produce(broker.bootstrapServers(), LoaderFixtures.eventsWithRepeats(RECORDS, UNIQUE));
    }

    static Set<String> expectedIds() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < UNIQUE; i++) {
            ids.add(new UUID(0xF00DL, i).toString());
        }
        return ids;
    }

    /** Five killed runs, then one that drains every record; returns when the last run has committed them all. */
    static void killFiveTimesThenDrain(TestBroker broker, String mode, String warehouse, String target, Path logDir)
            throws Exception {
        for (int run = 0; run < KILL_DELAYS_MS.length; run++) {
            Child child = Child.start(mode, broker.bootstrapServers(), warehouse, target, logDir.resolve("run" + run + ".log"));
            try {
                child.awaitMarker("writing");
                child.awaitMarker("writing");
                // A deliberate delay: it picks the moment of the kill inside the batch, it does not wait for a condition.
                TimeUnit.MILLISECONDS.sleep(KILL_DELAYS_MS[run]);
            } finally {
                child.kill();
            }
        }
        Child last = Child.start(mode, broker.bootstrapServers(), warehouse, target, logDir.resolve("last.log"));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_S);
            while (true) {
                String line = last.next(deadline);
                if (line.equals("committed " + RECORDS)) {
                    break;
                }
            }
        } finally {
            last.kill();
        }
    }

    /** A loader JVM and the marker lines it prints. */
    private static final class Child {
        private final Process process;
        private final BlockingQueue<String> markers = new LinkedBlockingQueue<>();

        private Child(Process process) {
            this.process = process;
            Thread reader = new Thread(this::read, "child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(String mode, String bootstrap, String warehouse, String target, Path log) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    LoaderChild.class.getName(), mode, bootstrap, warehouse, target));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
            return new Child(builder.start());
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("@@")) {
                        markers.add(line.substring(2));
                    }
                }
            } catch (IOException e) {
                // the child was killed: its output ends here
            }
        }

        String next(long deadlineNanos) throws InterruptedException {
            String line = markers.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail("the loader process printed nothing in time (alive: " + process.isAlive() + ")");
            }
            return line;
        }

        void awaitMarker(String marker) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_S);
            String line;
            do {
                line = next(deadline);
                assertNotNull(line);
            } while (!line.equals(marker));
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "killed loader did not exit");
        }
    }
}
