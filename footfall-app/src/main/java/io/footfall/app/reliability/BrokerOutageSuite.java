package io.footfall.app.reliability;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The broker outage suite, in distributed mode: {@code footfall broker}, collector, enricher and loader each
 * in a child JVM; load with client ids at the collector; the broker stopped for a while under that load and
 * started again on the same port and data dir. The collector must answer only 202 or 503 (never a hang,
 * a reset or another 5xx), turn not-ready and ready again, keep its heap under its bound, and after the
 * pipeline drains every acknowledged id must be in the warehouse exactly once.
 */
public final class BrokerOutageSuite {

    /** The collector's -Xmx, the heap bound the suite checks: README's sizing for budgets of 16 MB. */
    static final String COLLECTOR_HEAP = "256m";

    /**
     * @param collectorMain   main class of the collector child; tests pass fault-injected variants
     * @param eventsPerSecond the load's rate; 0: as fast as the collector answers
     * @param kill            SIGKILL the broker (a crash) instead of SIGTERM
     * @param before          load time before the broker stops
     * @param after           load time after the collector is ready again
     * @param deliveryTimeout the collector's: how long a request in flight when the broker went away may wait
     */
    public record Options(String collectorMain, Path dir, Duration outage, boolean kill, Duration before, Duration after,
                          int connections, int eventsPerSecond, Duration deliveryTimeout) {
    }

    /**
     * @param notReadyAfterMs   from the broker stop to the collector's readiness 503; -1 when it never turned
     * @param readyAgainAfterMs from the broker restart to readiness 200; -1 when it never came back
     */
    public record Result(Duration outage, Tally tally, Map<Integer, Long> statuses, long transportErrors,
                         long unavailableP50Micros, long unavailableP99Micros, long unavailableMaxMicros,
                         long notReadyAfterMs, long readyAgainAfterMs, long peakHeapBytes, long heapMaxBytes,
                         long peakInflightBytes, boolean collectorSurvived) {

        /** What went wrong, empty when the collector and the pipeline kept every promise. */
        public List<String> failures() {
            List<String> out = tally.failures(statuses, transportErrors);
            if (notReadyAfterMs < 0) {
                out.add("readiness never turned 503 while the broker was down");
            }
            if (readyAgainAfterMs < 0) {
                out.add("readiness never came back to 200 after the broker restart");
            }
            if (!collectorSurvived || heapMaxBytes <= 0 || peakHeapBytes >= heapMaxBytes) {
                out.add("collector heap " + peakHeapBytes + " of " + heapMaxBytes + " bytes, survived " + collectorSurvived);
            }
            return out;
        }

        public String text() {
            return String.format(Locale.ROOT,
                    "broker outage %d s: acknowledged %,d, stored rows %,d, lost %d, duplicated %d, stored-but-unacknowledged %d, bad records %s%n"
                            + "  answers %s, without answer %d; 503 latency p50 %s, p99 %s, max %s%n"
                            + "  readiness 503 %d ms after the stop, 200 again %d ms after the restart began; collector heap peak %d MB"
                            + " of %d MB, in-flight peak %d KB",
                    outage.toSeconds(), tally.acknowledged(), tally.storedRows(), tally.lost(), tally.duplicated(),
                    tally.storedUnacknowledged(), tally.badRecords(), statuses, transportErrors, ms(unavailableP50Micros),
                    ms(unavailableP99Micros), ms(unavailableMaxMicros), notReadyAfterMs, readyAgainAfterMs,
                    peakHeapBytes >> 20, heapMaxBytes >> 20, peakInflightBytes >> 10);
        }
    }

    private static String ms(long micros) {
        return micros < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f ms", micros / 1e3);
    }

    private BrokerOutageSuite() {
    }

    public static Result run(Options options, PrintStream progress) throws Exception {
        List<String> settings = List.of("collector.deliveryTimeout=" + options.deliveryTimeout().toMillis() + "ms",
                "collector.maxInflightBytes=16mb", "collector.maxBufferedBodyBytes=16mb");
        try (DistributedFootfall cluster = DistributedFootfall.start(options.dir(), options.collectorMain(), COLLECTOR_HEAP, settings)) {
            progress.printf("distributed footfall up: broker %s, collector :%d, query :%d%n", cluster.bootstrapServers(),
                    cluster.collectorPort(), cluster.queryPort());
            AckedLoad load = AckedLoad.start(cluster.collectorPort(), options.connections(),
                    options.deliveryTimeout().plusSeconds(10), options.eventsPerSecond());
            CollectorWatch watch = new CollectorWatch(cluster.collectorPort());
            Moments moments;
            try (watch; load) {
                moments = outage(options, cluster, watch, load, progress);
            }
            Set<String> acked = Set.copyOf(load.acknowledged());
            progress.printf("load stopped: %,d acknowledged; waiting for the pipeline to drain%n", acked.size());
            CrashSuite.awaitDrained(cluster.bootstrapServers(), progress);
            Map<String, Long> bad = BadTopicTally.byReason(cluster.bootstrapServers(), Duration.ofMinutes(1));
            boolean survived = cluster.collectorAlive();
            cluster.stopRoles();
            Tally tally = Tally.ofDuckDb(acked, cluster.duckDbFile()).withBadRecords(bad);
            cluster.stopBroker(false);
            return new Result(options.outage(), tally, load.statuses(), load.transportErrors(),
                    load.unavailableLatency().percentile(50), load.unavailableLatency().percentile(99),
                    load.unavailableLatency().max(),
                    watch.firstChangeTo(503, moments.stopAtMs()).map(c -> c.atMs() - moments.stopAtMs()).orElse(-1L),
                    watch.firstChangeTo(200, moments.restartAtMs()).map(c -> c.atMs() - moments.restartAtMs()).orElse(-1L),
                    watch.peakHeapUsed(), watch.heapMax(), watch.peakInflightBytes(), survived);
        }
    }

    /** When the broker was stopped and when its restart began, in the watch's ms. */
    private record Moments(long stopAtMs, long restartAtMs) {
    }

    /** Load before, the broker down, its restart, and load after the collector is ready again. */
    private static Moments outage(Options options, DistributedFootfall cluster, CollectorWatch watch, AckedLoad load,
                                  PrintStream progress) throws Exception {
        Thread.sleep(options.before().toMillis());
        long stopAt = watch.elapsedMs();
        cluster.stopBroker(options.kill());
        progress.printf("broker stopped (%s) with %,d acknowledged; down for %d s under load%n",
                options.kill() ? "SIGKILL" : "SIGTERM", load.acknowledged().size(), options.outage().toSeconds());
        Thread.sleep(options.outage().toMillis());
        long restartAt = watch.elapsedMs();
        cluster.startBroker();
        progress.printf("broker restarted on the same port and data dir: answers so far %s%n", load.statuses());
        awaitReady(watch, restartAt);
        Thread.sleep(options.after().toMillis());
        return new Moments(stopAt, restartAt);
    }

    /** Waits up to 2 minutes for the collector to report ready again after the broker is back. */
    private static void awaitReady(CollectorWatch watch, long sinceMs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (watch.firstChangeTo(200, sinceMs).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }
}
