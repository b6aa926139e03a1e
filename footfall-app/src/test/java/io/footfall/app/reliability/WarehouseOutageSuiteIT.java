package io.footfall.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short PostgreSQL outage under load (the server is never stopped: a relay is cut), and its negative control. */
class WarehouseOutageSuiteIT {

    @TempDir
    Path dir;

    @Test
    void warehouseCutOffUnderLoadBuildsLagThenCatchesUpExactly() throws Exception {
        WarehouseOutageSuite.Result result = WarehouseOutageSuite.run(options("io.footfall.app.Main", "ok"), System.out);
        System.out.println(result.text());
        assertEquals(List.of(), result.failures(), result.text());
        assertTrue(result.tally().acknowledged() > 1_000, "the load ran: " + result.text());
    }

    @Test
    void negativeControlTheSuiteReportsLossWhenOffsetsAreCommittedWithoutRows() throws Exception {
        WarehouseOutageSuite.Result result = WarehouseOutageSuite.run(options(LossyStandaloneMain.class.getName(), "lossy"),
                new PrintStream(PrintStream.nullOutputStream()));
        System.out.println("negative control: " + result.text());
        assertTrue(result.tally().lost() > 0, "a loader that commits offsets without rows must be caught: " + result.text());
    }

    private WarehouseOutageSuite.Options options(String main, String name) {
        return new WarehouseOutageSuite.Options(List.of(main), dir.resolve("data"), Duration.ofSeconds(10),
                Duration.ofSeconds(4), Duration.ofSeconds(2), 2, 2_000, "jdbc:postgresql://127.0.0.1:5432/test", "postgres",
                "outage_suite_" + name + "_" + ProcessHandle.current().pid());
    }
}
