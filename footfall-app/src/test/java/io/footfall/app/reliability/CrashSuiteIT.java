package io.footfall.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One kill-and-recover cycle of the crash suite, and its negative control. */
class CrashSuiteIT {

    @TempDir
    Path dir;

    @Test
    void killNineAndRestartLosesAndDuplicatesNothing() throws Exception {
        CrashSuite.Result result = CrashSuite.run(new CrashSuite.Options(List.of("io.footfall.app.Main"),
                dir.resolve("data"), 1, Duration.ofSeconds(4), Duration.ofSeconds(6), 2, 7), System.out);
        System.out.println(result.text());
        assertTrue(result.acknowledged() > 1_000, "the load ran: " + result.text());
        assertEquals(0, result.lost(), result.text());
        assertEquals(0, result.duplicated(), result.text());
        assertEquals(0, result.lossReports(), "a kill is not a loss: " + result.text());
        assertTrue(result.passed(), result.text());
    }

    @Test
    void negativeControlTheSuiteReportsLossWhenOffsetsAreCommittedWithoutRows() throws Exception {
        CrashSuite.Result result = CrashSuite.run(new CrashSuite.Options(
                List.of(LossyStandaloneMain.class.getName()), dir.resolve("data"), 1,
                Duration.ofSeconds(3), Duration.ofSeconds(4), 2, 7), new PrintStream(PrintStream.nullOutputStream()));
        System.out.println("negative control: " + result.text());
        assertTrue(result.lost() > 0, "a loader that commits offsets without rows must be caught: " + result.text());
    }
}
