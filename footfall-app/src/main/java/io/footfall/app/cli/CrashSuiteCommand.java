package io.footfall.app.cli;

import io.footfall.app.reliability.CrashSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "crash-suite", mixinStandardHelpOptions = true,
        description = {"Kill -9 a standalone footfall under load and check every acknowledged event is stored once.",
                "Restarts it after each kill at a random moment, waits for the pipeline to drain, then compares.",
                "With --distributed, each role runs in its own process against `footfall broker` and the kills take",
                "the roles in turn (collector, enricher, loader), the others running on.",
                "Exit code 1 when anything was lost or duplicated, or a stage reported records it never read."})
public final class CrashSuiteCommand implements Callable<Integer> {

    @Option(names = "--kills", defaultValue = "10", description = "how many kill -9 / restart cycles (default 10)")
    int kills;

    @Option(names = "--min-up-ms", defaultValue = "3000", description = "least time under load before a kill (default 3000)")
    long minUpMs;

    @Option(names = "--max-up-ms", defaultValue = "12000", description = "most time under load before a kill (default 12000)")
    long maxUpMs;

    @Option(names = "--connections", defaultValue = "4", description = "concurrent client connections (default 4)")
    int connections;

    @Option(names = "--seed", defaultValue = "42", description = "random seed for the kill moments")
    long seed;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "data dir of the standalone under test, or of every process with --distributed (default: a new temporary dir)")
    Path dataDir;

    @Option(names = "--distributed", description = "distributed mode: broker, collector, enricher and loader each in its own process")
    boolean distributed;

    @Option(names = "--roles", split = ",", paramLabel = "ROLE[,ROLE...]", defaultValue = "collector,enricher,loader",
            description = "with --distributed: the roles to kill, in turn (default ${DEFAULT-VALUE})")
    List<String> roles;

    @Override
    public Integer call() throws Exception {
        if (kills < 1 || minUpMs < 100 || maxUpMs < minUpMs || connections < 1) {
            System.err.println("footfall: need --kills >= 1, --min-up-ms >= 100, --max-up-ms >= --min-up-ms, --connections >= 1");
            return 2;
        }
        try {
            return distributed ? distributed() : standalone();
        } catch (IllegalStateException e) {
            // A suite that could not finish (a process that did not start, a pipeline that did not drain) is not a
            // start-up failure of this command: say what stopped it.
            System.err.println("footfall: crash suite stopped: " + e.getMessage());
            return 1;
        }
    }

    private int standalone() throws Exception {
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("footfall-crash").resolve("data");
        System.out.println("crash suite: standalone data in " + dir + " (stderr in " + dir + "-stderr.log)");
        CrashSuite.Result result = CrashSuite.run(new CrashSuite.Options(List.of("io.footfall.app.Main"), dir, kills,
                Duration.ofMillis(minUpMs), Duration.ofMillis(maxUpMs), connections, seed), System.out);
        System.out.println(result.text());
        return result.passed() ? 0 : 1;
    }

    private int distributed() throws Exception {
        CrashSuite.DistributedOptions distributedOptions;
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("footfall-crash");
        try {
            distributedOptions = new CrashSuite.DistributedOptions(Map.of(), dir, roles, kills, Duration.ofMillis(minUpMs),
                    Duration.ofMillis(maxUpMs), connections, seed);
        } catch (IllegalArgumentException e) {
            System.err.println("footfall: --roles: " + e.getMessage());
            return 2;
        }
        System.out.println("crash suite, distributed: data dirs and stderr logs of every process in " + dir);
        CrashSuite.Result result = CrashSuite.runDistributed(distributedOptions, System.out);
        System.out.println(result.text());
        return result.passed() ? 0 : 1;
    }
}
