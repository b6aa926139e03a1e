package io.footfall.app.cli;

import io.footfall.app.bench.Bench;
import io.footfall.app.standalone.Standalone;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Drive load at a collector and report sustained events/s, errors, freshness, lag, CPU and heap.",
                "Without --url it starts a standalone footfall in this process (temporary data dir) and measures that;",
                "--config, --set and FOOTFALL_* variables configure it as they configure 'footfall standalone'."})
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--url", paramLabel = "URL", description = "collector base URL, e.g. http://127.0.0.1:8080")
    URI collector;

    @Option(names = "--query-url", paramLabel = "URL", description = "query server base URL (default http://127.0.0.1:8081)")
    URI query;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers, to report consumer lag per stage")
    String bootstrap;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", defaultValue = "0", description = "target events/s; 0 = as fast as accepted (default)")
    double rate;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "60s", description = "e.g. 30s, 5m (default 60s)")
    String duration;

    @Option(names = "--warmup", paramLabel = "DURATION", description = "the same load first, not measured, then a wait "
            + "(up to 1 min) for the stages to catch up (default 30s for the standalone it starts itself, 0s with --url)")
    String warmup;

    @Option(names = "--connections", defaultValue = "8", description = "concurrent connections (default 8)")
    int connections;

    @Option(names = "--batch", defaultValue = "100", description = "events per request (default 100; 1 = single events)")
    int batch;

    @Option(names = "--gzip", description = "gzip request bodies")
    boolean gzip;

    @Option(names = "--sites", defaultValue = "3", description = "distinct sites, site0.bench, site1.bench, ... (default 3); "
            + "the freshness markers go to marker-<id>.bench, so a collector with collector.allowedSites answers them 403")
    int sites;

    @Option(names = "--visitors", defaultValue = "50000", description = "distinct visitors (default 50000)")
    int visitors;

    @Option(names = "--paths", defaultValue = "500", description = "distinct page paths (default 500)")
    int paths;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report as JSON")
    Path json;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data dir of the standalone started without --url (default: a new temporary dir)")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Duration runFor = Settings.of(Map.of("bench.duration", duration))
                .duration("bench.duration", Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofHours(24));
        Duration warmFor = Settings.of(Map.of("bench.warmup", warmup != null ? warmup : collector == null ? "30s" : "0s"))
                .duration("bench.warmup", Duration.ZERO, Duration.ZERO, Duration.ofHours(1));
        if (connections < 1 || batch < 1 || sites < 1 || visitors < 1 || paths < 1) {
            System.err.println("footfall: --connections, --batch, --sites, --visitors and --paths must be at least 1");
            return 2;
        }
        Standalone own = null;
        try {
            if (collector == null) {
                Path dir = dataDir != null ? dataDir : Files.createTempDirectory("footfall-bench");
                FootfallConfig config = StandaloneCommand.withOwnBroker(configOptions.load(Map.of("dataDir", dir.toString(),
                        "collector.port", "0", "query.port", "0", "kafka.embeddedPort", "0")));
                System.err.println("footfall: starting a standalone footfall in " + dir + " to measure");
                own = new Standalone(config, new PrintStream(new ByteArrayOutputStream())).start();
                collector = URI.create("http://127.0.0.1:" + own.collectorPort());
                query = URI.create("http://127.0.0.1:" + own.queryPort());
                bootstrap = own.bootstrapServers();
            }
            if (query == null) {
                query = URI.create("http://127.0.0.1:8081");
            }
            Bench.Plan plan = new Bench.Plan(collector, query, bootstrap, connections, batch, gzip, rate, runFor,
                    sites, visitors, paths, warmFor);
            Bench.BenchReportView report = Bench.run(plan, System.err);
            System.out.print(report.text());
            if (json != null) {
                report.writeJson(json);
                System.out.println("  report written to " + json);
            }
            if (own == null && report.accepted() > 0) {
                // A collector of the user's own: say where the synthetic events went, and how to remove them.
                System.out.println("  sites written to: " + String.join(", ", report.sites())
                        + " (footfall delete --site SITE --yes removes one's events)");
            }
            if (report.accepted() == 0) {
                // A run whose every request was refused (a site not in collector.allowedSites, say) measured nothing.
                System.err.println("footfall: bench: no event was accepted; see the responses by status above");
                return 1;
            }
            return 0;
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }
}
