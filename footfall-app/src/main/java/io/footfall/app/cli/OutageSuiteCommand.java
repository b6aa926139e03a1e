package io.footfall.app.cli;

import io.footfall.app.reliability.BrokerOutageSuite;
import io.footfall.app.reliability.WarehouseOutageSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "outage-suite", mixinStandardHelpOptions = true,
        description = {"Stop the broker (distributed mode, each role in its own process), then cut PostgreSQL off, under load.",
                "Checks answers (202 or 503 only), readiness, collector heap, lag, catch-up and exact counts.",
                "Exit code 1 when a promise was broken."})
public final class OutageSuiteCommand implements Callable<Integer> {

    @Option(names = "--broker-outage", paramLabel = "SECONDS", defaultValue = "60",
            description = "how long the broker stays down; 0 skips the broker outage (default 60)")
    int brokerSeconds;

    @Option(names = "--kill", description = "stop the broker with SIGKILL instead of SIGTERM")
    boolean kill;

    @Option(names = "--warehouse-outage", paramLabel = "SECONDS", defaultValue = "300",
            description = "how long PostgreSQL is unreachable; 0 skips the warehouse outage (default 300)")
    int warehouseSeconds;

    @Option(names = "--postgres-url", paramLabel = "JDBC_URL", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test",
            description = "the PostgreSQL server for the warehouse outage (reached through a relay the suite cuts; the server itself is never stopped; default ${DEFAULT-VALUE})")
    String postgresUrl;

    @Option(names = "--postgres-user", paramLabel = "USER", defaultValue = "postgres", description = "default ${DEFAULT-VALUE}")
    String postgresUser;

    @Option(names = "--connections", defaultValue = "4", description = "concurrent client connections (default 4)")
    int connections;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_SECOND", defaultValue = "5000",
            description = "load rate over all connections, in 20-event requests; 0 = as fast as answered (default 5000)")
    int rate;

    @Option(names = "--dir", paramLabel = "DIR", description = "data dirs and logs of the processes under test (default: a new temporary dir)")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (brokerSeconds < 0 || warehouseSeconds < 0 || brokerSeconds + warehouseSeconds == 0 || connections < 1 || rate < 0) {
            System.err.println("footfall: need --broker-outage >= 0, --warehouse-outage >= 0 (not both 0), --connections >= 1, --rate >= 0");
            return 2;
        }
        Path base = dir != null ? dir : Files.createTempDirectory("footfall-outage");
        System.out.println("outage suite: data and stderr logs in " + base);
        boolean ok = true;
        if (brokerSeconds > 0) {
            BrokerOutageSuite.Result result = BrokerOutageSuite.run(new BrokerOutageSuite.Options("io.footfall.app.Main",
                    base.resolve("broker-outage"), Duration.ofSeconds(brokerSeconds), kill, Duration.ofSeconds(10),
                    Duration.ofSeconds(10), connections, rate, Duration.ofSeconds(30)), System.out);
            System.out.println(result.text());
            System.out.printf("  503 p99 target < 50 ms: %s%n", result.unavailableP99Micros() < 50_000 ? "met" : "MISSED");
            ok &= report(result.failures());
        }
        if (warehouseSeconds > 0) {
            WarehouseOutageSuite.Result result = WarehouseOutageSuite.run(new WarehouseOutageSuite.Options(
                    List.of("io.footfall.app.Main"), base.resolve("warehouse-outage").resolve("data"),
                    Duration.ofSeconds(warehouseSeconds), Duration.ofSeconds(10), Duration.ofSeconds(5), connections, rate,
                    postgresUrl, postgresUser, "footfall_outage_" + System.currentTimeMillis()), System.out);
            System.out.println(result.text());
            ok &= report(result.failures());
        }
        return ok ? 0 : 1;
    }

    private static boolean report(List<String> failures) {
        failures.forEach(f -> System.out.println("  FAILED: " + f));
        return failures.isEmpty();
    }
}
