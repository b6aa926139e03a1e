package io.footfall.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash suite in distributed mode: broker, collector, enricher and loader each in its own JVM, each role
 * killed with SIGKILL once under load and started again while the others run on; and its negative control.
 */
class DistributedCrashSuiteIT {

    @TempDir
    Path dir;

    @Test
    void eachRoleKilledInTurnLosesAndDuplicatesNothing() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream progress = new PrintStream(new TeeStream(log, System.out), true, StandardCharsets.UTF_8);
        CrashSuite.Result result = CrashSuite.runDistributed(new CrashSuite.DistributedOptions(Map.of(),
                dir.resolve("cluster"), List.of("collector", "enricher", "loader"), 3, Duration.ofSeconds(3),
                Duration.ofSeconds(5), 2, 11), progress);
        System.out.println(result.text());
        assertEquals("collector 1, enricher 1, loader 1", result.killed(), result.text());
        String lines = log.toString(StandardCharsets.UTF_8);
        for (String role : List.of("collector", "enricher", "loader")) {
            assertTrue(lines.contains(": " + role + " after"), role + " was killed: " + lines);
            assertTrue(lines.contains(role + " ready again"), role + " came back: " + lines);
        }
        assertTrue(result.acknowledged() > 1_000, "the load ran: " + result.text());
        assertEquals(0, result.lost(), result.text());
        assertEquals(0, result.duplicated(), result.text());
        assertTrue(result.storedRows() >= result.acknowledged(), result.text());
    }

    @Test
    void negativeControlTheSuiteReportsLossWhenTheLoaderCommitsOffsetsWithoutRows() throws Exception {
        CrashSuite.Result result = CrashSuite.runDistributed(new CrashSuite.DistributedOptions(
                        Map.of("loader", LossyLoaderMain.class.getName()), dir.resolve("cluster"), List.of("loader"), 1,
                        Duration.ofSeconds(3), Duration.ofSeconds(4), 2, 11),
                new PrintStream(PrintStream.nullOutputStream()));
        System.out.println("negative control: " + result.text());
        assertTrue(result.lost() > 0, "a loader that commits offsets without rows must be caught: " + result.text());
    }


    /** Writes to two streams: the test reads what the suite reported, and the build log shows it. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }
}
