package io.footfall.app.reliability;

import io.footfall.app.bench.LagProbe;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The crash suite: load with client ids, {@code kill -9} the standalone process at random moments, restart
 * it each time, let the pipeline drain, then compare what was acknowledged with what the warehouse holds.
 * Lost (acknowledged but missing) and duplicated must be 0, and so must the pipeline's own loss reports (nothing
 * deletes records here); stored-but-unacknowledged is reported (the response was lost, not the event). In distributed mode ({@link #runDistributed}) each role runs in a
 * process of its own against a {@code footfall broker}, and the kills take the roles in turn.
 */
public final class CrashSuite {

    /**
     * @param main        main class (and leading arguments) of the standalone child; tests pass fault-injected variants
     * @param upTime      each kill comes after a random time in [min, max] of running under load
     */
    public record Options(List<String> main, Path dataDir, int kills, Duration minUpTime, Duration maxUpTime,
                          int connections, long seed) {
    }

    /**
     * Distributed mode: {@code footfall broker}, loader, enricher and collector each in a child JVM under
     * {@code dir}; kill {@code n} (from 1) takes role {@code roles[(n - 1) mod roles.size()]}.
     *
     * @param mains main class per role where it is not {@code io.footfall.app.Main}; tests pass fault-injected variants
     */
    public record DistributedOptions(Map<String, String> mains, Path dir, List<String> roles, int kills,
                                     Duration minUpTime, Duration maxUpTime, int connections, long seed) {
        public DistributedOptions {
            if (roles.isEmpty() || !DistributedFootfall.ROLES.containsAll(roles)) {
                throw new IllegalArgumentException("roles to kill: " + roles + ", expected some of " + DistributedFootfall.ROLES);
            }
        }
    }

    /**
     * @param killed     what was killed how often, e.g. "standalone 10" or "collector 4, enricher 3, loader 3"
     * @param badRecords footfall.bad's records by reason at the end ({@link BadTopicTally})
     */
    public record Result(int kills, String killed, long acknowledged, long storedRows, long lost, long duplicated,
                         long storedUnacknowledged, long failedRequests, Map<String, Long> badRecords) {
        public String text() {
            return String.format(java.util.Locale.ROOT,
                    "crash suite: %d kills (%s), acknowledged %,d, stored rows %,d, lost %d, duplicated %d, "
                            + "stored-but-unacknowledged %d, refused or failed requests %,d, bad records %s, loss reports %d",
                    kills, killed, acknowledged, storedRows, lost, duplicated, storedUnacknowledged, failedRequests,
                    badRecords, lossReports());
        }

        /** Records deleted before a stage read them, as the pipeline reported them: none are, so any is a false alarm. */
        public long lossReports() {
            return BadTopicTally.lossReports(badRecords);
        }

        /** Nothing lost, nothing twice, no loss reported. */
        public boolean passed() {
            return lost == 0 && duplicated == 0 && lossReports() == 0;
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
                long upMs = upTime(random, options.minUpTime(), options.maxUpTime());
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
        Map<String, Long> bad;
        try {
            awaitDrained(process.bootstrapServers(), progress);
            bad = BadTopicTally.byReason(process.bootstrapServers(), Duration.ofMinutes(1));
        } catch (IllegalStateException | InterruptedException e) {
            process.kill();
            throw e;
        }
        process.terminate();
        Tally tally = Tally.ofDuckDb(acked, options.dataDir().resolve("footfall.duckdb"));
        return result(options.kills(), "standalone " + options.kills(), tally, failed, bad);
    }

    /**
     * The suite in distributed mode: each kill takes the next role of {@code options.roles()} (SIGKILL to its
     * process alone; the other roles and the broker run on) and starts it again on the same data dir and
     * ports; then the pipeline drains, the roles stop in order, and the loader's DuckDB file is compared.
     */
    public static Result runDistributed(DistributedOptions options, PrintStream progress) throws Exception {
        Random random = new Random(options.seed());
        Map<String, Integer> killed = new TreeMap<>();
        try (DistributedFootfall cluster = DistributedFootfall.start(options.dir(), options.mains(),
                BrokerOutageSuite.COLLECTOR_HEAP, List.of())) {
            progress.printf("distributed footfall up: broker %s, collector :%d, query :%d%n", cluster.bootstrapServers(),
                    cluster.collectorPort(), cluster.queryPort());
            Set<String> acked;
            long failed;
            try (AckedLoad load = AckedLoad.start(cluster.collectorPort(), options.connections())) {
                for (int kill = 1; kill <= options.kills(); kill++) {
                    String role = options.roles().get((kill - 1) % options.roles().size());
                    long upMs = upTime(random, options.minUpTime(), options.maxUpTime());
                    Thread.sleep(upMs);
                    cluster.killRole(role);
                    killed.merge(role, 1, Integer::sum);
                    long killedAt = System.nanoTime();
                    progress.printf("kill %d/%d: %s after %d ms under load: %,d acknowledged so far%n", kill,
                            options.kills(), role, upMs, load.acknowledged().size());
                    cluster.startRole(role);
                    progress.printf("  %s ready again after %d ms%n", role, (System.nanoTime() - killedAt) / 1_000_000);
                }
                Thread.sleep(options.minUpTime().toMillis());
                load.close();
                acked = Set.copyOf(load.acknowledged());
                failed = load.failedRequests();
            }
            progress.printf("load stopped: %,d acknowledged; waiting for the pipeline to drain%n", acked.size());
            awaitDrained(cluster.bootstrapServers(), progress);
            Map<String, Long> bad = BadTopicTally.byReason(cluster.bootstrapServers(), Duration.ofMinutes(1));
            cluster.stopRoles();
            Tally tally = Tally.ofDuckDb(acked, cluster.duckDbFile());
            cluster.stopBroker(false);
            String text = killed.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
            return result(options.kills(), text, tally, failed, bad);
        }
    }

    private static long upTime(Random random, Duration min, Duration max) {
        return min.toMillis() + (long) (random.nextDouble() * (max.toMillis() - min.toMillis()));
    }

    /**
     * Waits until both stages have consumed everything (consumer lag 0 on two polls a second apart), so the
     * warehouse holds all it ever will of this run. A backlog is waited for as long as it shrinks; a minute
     * without progress ends the suite with the lag it was stuck at, rather than with a count of "lost" events
     * that were only not loaded yet.
     *
     * @throws IllegalStateException when the lag stops going down before it reaches 0
     */
    static void awaitDrained(String bootstrapServers, PrintStream progress) throws InterruptedException {
        long stallNanos = Duration.ofMinutes(1).toNanos();
        long lastProgress = System.nanoTime();
        long lastReport = lastProgress;
        // Per stage, against the previous poll: what the enricher drains becomes the loader's lag, so their sum
        // can stand still while both work.
        Map<String, Long> previous = Map.of();
        int idle = 0;
        Map<String, Long> lag = Map.of();
        try (LagProbe probe = new LagProbe(bootstrapServers)) {
            while (idle < 2) {
                Thread.sleep(1000);
                lag = probe.lag();
                boolean readable = lag.values().stream().allMatch(n -> n >= 0);
                long total = lag.values().stream().mapToLong(Long::longValue).sum();
                idle = readable && total == 0 ? idle + 1 : 0;
                long now = System.nanoTime();
                for (Map.Entry<String, Long> stage : lag.entrySet()) {
                    Long before = previous.get(stage.getKey());
                    if (stage.getValue() >= 0 && before != null && stage.getValue() < before) {
                        lastProgress = now;
                    }
                }
                previous = lag;
                if (now - lastProgress > stallNanos) {
                    throw new IllegalStateException("the pipeline did not drain: consumer lag " + lag
                            + " (-1: unreadable), no progress for " + Duration.ofNanos(stallNanos).toSeconds() + " s");
                }
                if (now - lastReport > Duration.ofSeconds(15).toNanos()) {
                    progress.printf("  draining: consumer lag %s%n", lag);
                    lastReport = now;
                }
            }
        }
        progress.printf("drained: consumer lag %s%n", lag);
    }

    private static Result result(int kills, String killed, Tally tally, long failed, Map<String, Long> bad) {
        return new Result(kills, killed, tally.acknowledged(), tally.storedRows(), tally.lost(), tally.duplicated(),
                tally.storedUnacknowledged(), failed, bad);
    }
}
