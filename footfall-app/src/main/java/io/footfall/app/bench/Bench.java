package io.footfall.app.bench;

import io.footfall.app.ProgressLine;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One benchmark run: load + freshness markers + lag and process sampling once a second, with a live
 * progress line, then a {@link BenchReport}.
 */
public final class Bench {

    /** What to run against and how hard. */
    public record Plan(URI collector, URI query, String bootstrapServers, int connections, int batchSize, boolean gzip,
                       double ratePerSecond, Duration duration, int sites, int visitors, int paths, Duration warmup) {

        /** Without a warm-up. */
        public Plan(URI collector, URI query, String bootstrapServers, int connections, int batchSize, boolean gzip,
                    double ratePerSecond, Duration duration, int sites, int visitors, int paths) {
            this(collector, query, bootstrapServers, connections, batchSize, gzip, ratePerSecond, duration, sites, visitors,
                    paths, Duration.ZERO);
        }
    }

    /** After the warm-up, the measured run waits at most this long for the stages to work off what it left. */
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(60);

    private Bench() {
    }

    public static BenchReportView run(Plan plan, PrintStream out) throws InterruptedException {
        ProgressLine progress = ProgressLine.on(out);
        EventMix mix = new EventMix(plan.sites(), plan.visitors(), plan.paths());
        URI events = plan.collector().resolve("/v1/events");
        LoadGenerator load = new LoadGenerator(new LoadGenerator.Options(events, plan.connections(), plan.batchSize(),
                plan.gzip(), plan.ratePerSecond()), mix);
        FreshnessProbe freshness = new FreshnessProbe(events, plan.query());
        LagProbe lag = plan.bootstrapServers() == null ? null : new LagProbe(plan.bootstrapServers());
        ProcessMetrics process = new ProcessMetrics(plan.query().resolve("/metrics"));
        if (!plan.warmup().isZero()) {
            warmUp(plan, mix, events, lag, progress);
        }
        Map<String, Long> maxLag = new LinkedHashMap<>();
        Map<String, Long> lastLag = Map.of();
        double cpuSum = 0;
        int cpuSamples = 0;
        double maxHeap = 0;
        long start = System.nanoTime();
        MachineCpu machine = MachineCpu.start();
        load.start();
        freshness.start();
        long previousAccepted = 0;
        long previousSent = 0;
        try {
            for (int second = 1; second <= plan.duration().toSeconds(); second++) {
                sleepUntilSecond(start, second);
                long accepted = load.accepted();
                long sent = load.sent();
                double[] cpuHeap = process.sample();
                if (cpuHeap[0] >= 0) {
                    cpuSum += cpuHeap[0];
                    cpuSamples++;
                }
                maxHeap = Math.max(maxHeap, cpuHeap[1]);
                if (lag != null) {
                    lastLag = lag.lag();
                    lastLag.forEach((stage, n) -> maxLag.merge(stage, n, Math::max));
                }
                progress.show(String.format(Locale.ROOT, "[%3ds] sent %,8d ev/s  accepted %,8d ev/s  503: %,d  429: %,d  freshness %s  lag %s",
                        second, sent - previousSent, accepted - previousAccepted, load.status(503), load.status(429),
                        freshness.lastMs() < 0 ? "-" : freshness.lastMs() + " ms", lastLag));
                previousAccepted = accepted;
                previousSent = sent;
            }
        } finally {
            load.close();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double machineCpu = machine.busySince();
        progress.end();
        freshness.close();
        Map<String, Long> finalLag = lag == null ? Map.of() : lag.lag();
        if (lag != null) {
            lag.close();
        }
        List<String> sites = new ArrayList<>(mix.sites());
        sites.add(freshness.site());
        return new BenchReportView(sites, new BenchReport(plan.collector().toString(), plan.connections(), plan.batchSize(),
                plan.gzip(), plan.ratePerSecond(), plan.warmup().toMillis() / 1000.0, seconds, load.sent(), load.accepted(), load.statuses(),
                load.transportErrors(), freshness.percentile(50), freshness.percentile(95), freshness.percentile(99),
                freshness.samples(), finalLag, maxLag, cpuSamples == 0 ? -1 : cpuSum / cpuSamples, maxHeap / (1024 * 1024), machineCpu));
    }

    /**
     * The same load for {@code plan.warmup()}, not counted: a freshly started JVM spends its first tens of
     * seconds compiling hot code (the C2 compiler took ~40 % of a core 35 s into a run) and building the
     * user-agent analyzer, which a short run would report as the pipeline's latency. Then, with a broker to
     * ask, waits (up to a minute) until the stages have worked off the backlog the warm-up left.
     */
    private static void warmUp(Plan plan, EventMix mix, URI events, LagProbe lag, ProgressLine progress)
            throws InterruptedException {
        LoadGenerator warm = new LoadGenerator(new LoadGenerator.Options(events, plan.connections(), plan.batchSize(),
                plan.gzip(), plan.ratePerSecond()), mix);
        long start = System.nanoTime();
        warm.start();
        try {
            for (int second = 1; second <= plan.warmup().toSeconds(); second++) {
                sleepUntilSecond(start, second);
                progress.show(String.format(Locale.ROOT, "[warm-up %3ds of %ds] accepted %,d events", second,
                        plan.warmup().toSeconds(), warm.accepted()));
            }
        } finally {
            warm.close();
        }
        if (lag == null) {
            progress.end();
            return;
        }
        long quiet = Math.max(1_000, (long) plan.ratePerSecond());
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        Map<String, Long> now = lag.lag();
        while (total(now) > quiet && System.nanoTime() < deadline) {
            progress.show("[warm-up: draining] lag " + now);
            Thread.sleep(1_000);
            now = lag.lag();
        }
        progress.last("[warm-up done] lag " + now + (total(now) > quiet ? " (not drained within "
                + DRAIN_LIMIT.toSeconds() + " s: the pipeline is slower than the rate)" : ""));
    }

    /** Sleeps until {@code second} seconds after {@code startNanos}: one tick of a per-second progress loop. */
    private static void sleepUntilSecond(long startNanos, int second) throws InterruptedException {
        Thread.sleep(Math.max(0, startNanos + second * 1_000_000_000L - System.nanoTime()) / 1_000_000);
    }

    private static long total(Map<String, Long> lag) {
        return lag.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The report, as the CLI sees it, and the sites the run sent its events to (the load's, then the markers'). */
    public record BenchReportView(List<String> sites, BenchReport report) {
        public String text() {
            return report.text();
        }

        public void writeJson(java.nio.file.Path file) throws java.io.IOException {
            report.writeJson(file);
        }

        public long accepted() {
            return report.eventsAccepted();
        }
    }
}
