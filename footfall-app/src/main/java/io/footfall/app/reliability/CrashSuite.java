package io.footfall.app.reliability;

import java.io.PrintStream;
import io.footfall.app.bench.LagProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The crash suite: load with client ids, {@code kill -9} the standalone process at random moments, restart
 * it each time, let the pipeline drain, then compare what was acknowledged with what the warehouse holds.
 * Lost (acknowledged but missing) and duplicated must be 0; stored-but-unacknowledged is reported (the
 * response was lost, not the event).
 */
public final class CrashSuite {

    /**
     * @param main        main class (and leading arguments) of the standalone child; tests pass fault-injected variants
     * @param upTime      each kill comes after a random time in [min, max] of running under load
     */
    public record Options(List<String> main, Path dataDir, int kills, Duration minUpTime, Duration maxUpTime,
                          int connections, long seed) {
    }

    public record Result(int kills, long acknowledged, long storedRows, long lost, long duplicated,
                         long storedUnacknowledged, long failedRequests) {
        public String text() {
            return String.format(java.util.Locale.ROOT,
                    "crash suite: %d kills, acknowledged %,d, stored rows %,d, lost %d, duplicated %d, "
                            + "stored-but-unacknowledged %d, refused or failed requests %,d",
                    kills, acknowledged, storedRows, lost, duplicated, storedUnacknowledged, failedRequests);
        }
    }

    private CrashSuite() {
    }

    public static Result run(Options options, PrintStream progress) throws Exception {
        Random random = new Random(options.seed());
        int collectorPort = StandaloneProcess.freePort();
        int queryPort = StandaloneProcess.freePort();
        StandaloneProcess process = StandaloneProcess.start(options.main(), options.dataDir(), collectorPort, queryPort);
        Set<String> acked;
        long failed;
        try (AckedLoad load = AckedLoad.start(collectorPort, options.connections())) {
            for (int kill = 1; kill <= options.kills(); kill++) {
                long upMs = options.minUpTime().toMillis()
                        + (long) (random.nextDouble() * (options.maxUpTime().toMillis() - options.minUpTime().toMillis()));
                Thread.sleep(upMs);
                process.kill();
                progress.printf("kill %d/%d after %d ms under load: %,d acknowledged so far%n", kill, options.kills(),
                        upMs, load.acknowledged().size());
                process = StandaloneProcess.start(options.main(), options.dataDir(), collectorPort, queryPort);
            }
            Thread.sleep(options.minUpTime().toMillis());
            load.close();
            acked = Set.copyOf(load.acknowledged());
            failed = load.failedRequests();
        }
        progress.printf("load stopped: %,d acknowledged; waiting for the pipeline to drain%n", acked.size());
        awaitDrained(process.bootstrapServers(), progress);
        process.terminate();
        return compare(options, acked, failed);
    }

    /**
     * Waits until both stages have consumed everything (consumer lag 0 on two polls a second apart), so the
     * warehouse holds all it ever will of this run.
     */
    static void awaitDrained(String bootstrapServers, PrintStream progress) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        int idle = 0;
        Map<String, Long> lag = Map.of();
        try (LagProbe probe = new LagProbe(bootstrapServers)) {
            while (System.nanoTime() < deadline && idle < 2) {
                Thread.sleep(1000);
                lag = probe.lag();
                idle = lag.values().stream().allMatch(n -> n == 0) ? idle + 1 : 0;
            }
        }
        progress.printf("drained: consumer lag %s%n", lag);
    }

    private static Result compare(Options options, Set<String> acked, long failed) throws Exception {
        Tally tally = Tally.ofDuckDb(acked, options.dataDir().resolve("footfall.duckdb"));
        return new Result(options.kills(), tally.acknowledged(), tally.storedRows(), tally.lost(), tally.duplicated(),
                tally.storedUnacknowledged(), failed);
    }
}
