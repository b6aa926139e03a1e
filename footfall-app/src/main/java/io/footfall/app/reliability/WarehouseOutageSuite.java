package io.footfall.app.reliability;

import io.footfall.app.bench.LagProbe;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The warehouse outage suite: a standalone footfall writing to PostgreSQL through a TCP relay the suite
 * controls; load with client ids; the relay cut (every connection reset, new ones refused) for a while
 * under that load, then restored. Ingestion must go on (the collector keeps answering 202), the loader's
 * lag must grow and show in its {@code /metrics}, it must catch up afterwards, and every acknowledged id
 * must be a row exactly once. The PostgreSQL server itself is never stopped.
 */
public final class WarehouseOutageSuite {

    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(15);

    /**
     * @param main        main class of the standalone child; tests pass fault-injected variants
     * @param postgresUrl JDBC URL of the real server, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test}; the
     *                    loader gets the same URL with the relay's port
     * @param eventsPerSecond the load's rate; 0: as fast as the collector answers
     * @param schema      a schema of its own, created by the loader and dropped at the end
     */
    public record Options(List<String> main, Path dataDir, Duration outage, Duration before, Duration after,
                          int connections, int eventsPerSecond, String postgresUrl, String user, String schema) {
    }

    /**
     * @param lagEverySeconds how often the lag was read during the outage (10 s, less for short outages)
     * @param lagDuringOutage loader lag (records) read from the standalone's /metrics during the outage (and at
     *                        its end when that is not on a step)
     * @param catchUpMs       from the restore until the loader has stored all that was waiting; -1: never
     */
    public record Result(Duration outage, Tally tally, Map<Integer, Long> statuses, long transportErrors,
                         long acknowledgedDuringOutage, long lagBefore, long lagEverySeconds, List<Long> lagDuringOutage, long peakLag,
                         long catchUpMs) {

        public List<String> failures() {
            List<String> out = tally.failures(statuses, transportErrors);
            if (acknowledgedDuringOutage == 0) {
                out.add("ingestion stopped while the warehouse was down");
            }
            if (peakLag <= lagBefore) {
                out.add("the loader lag did not grow in /metrics while the warehouse was down");
            }
            if (catchUpMs < 0) {
                out.add("the loader did not catch up within " + CATCH_UP_LIMIT.toMinutes() + " minutes");
            }
            return out;
        }

        public String text() {
            return String.format(Locale.ROOT,
                    "warehouse outage %d s: acknowledged %,d, stored rows %,d, lost %d, duplicated %d, stored-but-unacknowledged %d, bad records %s%n"
                            + "  answers %s, without answer %d; acknowledged while PostgreSQL was down %,d%n"
                            + "  loader lag before %,d, every %d s of the outage %s, peak %,d; backlog stored %.1f s after the restore",
                    outage.toSeconds(), tally.acknowledged(), tally.storedRows(), tally.lost(), tally.duplicated(),
                    tally.storedUnacknowledged(), tally.badRecords(), statuses, transportErrors, acknowledgedDuringOutage, lagBefore,
                    lagEverySeconds, lagDuringOutage, peakLag, catchUpMs / 1e3);
        }
    }

    private WarehouseOutageSuite() {
    }

    public static Result run(Options options, PrintStream progress) throws Exception {
        URI target = URI.create(options.postgresUrl().substring("jdbc:".length()));
        try (TcpProxy proxy = new TcpProxy(target.getPort() < 0 ? 5432 : target.getPort())) {
            String relayed = "jdbc:postgresql://127.0.0.1:" + proxy.port() + target.getRawPath();
            try (StandaloneProcess standalone = StandaloneProcess.start(options.main(), options.dataDir(),
                    StandaloneProcess.freePort(), StandaloneProcess.freePort(),
                    "--set", "loader.warehouse=postgres", "--set", "loader.jdbcUrl=" + relayed,
                    "--set", "loader.user=" + options.user(), "--set", "loader.schema=" + options.schema())) {
                progress.printf("standalone up, loader writing to schema %s through a relay on :%d%n", options.schema(), proxy.port());
                return underLoad(options, proxy, standalone, progress);
            } finally {
                dropSchema(options);
            }
        }
    }

    private static Result underLoad(Options options, TcpProxy proxy, StandaloneProcess standalone, PrintStream progress)
            throws Exception {
        LoaderLag lag = new LoaderLag(standalone.queryPort());
        AckedLoad load = AckedLoad.start(standalone.collectorPort(), options.connections(), Duration.ofSeconds(10),
                options.eventsPerSecond());
        long lagBefore;
        long ackedAtCut;
        long ackedAtRestore;
        List<Long> during;
        long catchUpMs;
        long step = Math.max(1, Math.min(10, options.outage().toSeconds() / 4));
        try (load) {
            lagBefore = peakLagFor(lag, options.before());
            ackedAtCut = load.acknowledged().size();
            proxy.cut();
            progress.printf("PostgreSQL cut off with %,d acknowledged (loader lag up to %,d before); down for %d s under load%n",
                    ackedAtCut, lagBefore, options.outage().toSeconds());
            during = lagWhileDown(options.outage(), step, lag, load, progress);
            ackedAtRestore = load.acknowledged().size();
            try (LagProbe kafka = new LagProbe(standalone.bootstrapServers())) {
                long backlogEnd = kafka.inputEnd("loader");
                proxy.restore();
                catchUpMs = awaitCaughtUp(kafka, backlogEnd);
            }
            progress.printf("PostgreSQL back; the loader stored the backlog in %d ms%n", catchUpMs);
            Thread.sleep(options.after().toMillis());
        }
        Set<String> acked = Set.copyOf(load.acknowledged());
        progress.printf("load stopped: %,d acknowledged; waiting for the pipeline to drain%n", acked.size());
        CrashSuite.awaitDrained(standalone.bootstrapServers(), progress);
        Map<String, Long> bad = BadTopicTally.byReason(standalone.bootstrapServers(), Duration.ofMinutes(1));
        standalone.terminate();
        Tally tally = Tally.ofPostgres(acked, options.postgresUrl(), options.user(), options.schema()).withBadRecords(bad);
        return new Result(options.outage(), tally, load.statuses(), load.transportErrors(), ackedAtRestore - ackedAtCut,
                lagBefore, step, during, during.stream().mapToLong(Long::longValue).max().orElse(-1), catchUpMs);
    }

    /** The highest loader lag read every 500 ms for {@code time}. */
    private static long peakLagFor(LoaderLag lag, Duration time) throws InterruptedException {
        long end = System.nanoTime() + time.toNanos();
        long peak = 0;
        while (System.nanoTime() < end) {
            peak = Math.max(peak, lag.read());
            Thread.sleep(500);
        }
        return peak;
    }

    /** Waits out the outage, reading the loader lag every {@code stepSeconds} and once at its end. */
    private static List<Long> lagWhileDown(Duration outage, long stepSeconds, LoaderLag lag, AckedLoad load,
                                           PrintStream progress) throws InterruptedException {
        List<Long> during = new ArrayList<>();
        long cutAt = System.nanoTime();
        for (long s = stepSeconds; s <= outage.toSeconds(); s += stepSeconds) {
            Thread.sleep(Math.max(0, cutAt + Duration.ofSeconds(s).toNanos() - System.nanoTime()) / 1_000_000);
            long now = lag.read();
            during.add(now);
            progress.printf("  down %d s: loader lag %,d, acknowledged %,d%n", s, now, load.acknowledged().size());
        }
        Thread.sleep(Math.max(0, cutAt + outage.toNanos() - System.nanoTime()) / 1_000_000);
        if (outage.toSeconds() % stepSeconds != 0 || during.isEmpty()) {
            during.add(lag.read());
        }
        return during;
    }

    /**
     * Ms until the loader has committed (in the warehouse, then to Kafka for information) everything that was
     * in {@code footfall.events} when the warehouse came back: {@code backlogEnd}, a sum of end offsets.
     */
    private static long awaitCaughtUp(LagProbe kafka, long backlogEnd) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + CATCH_UP_LIMIT.toNanos();
        while (backlogEnd >= 0 && System.nanoTime() < deadline) {
            if (kafka.committed("loader") >= backlogEnd) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            Thread.sleep(200);
        }
        return -1;
    }

    private static void dropSchema(Options options) throws SQLException {
        try (Connection c = DriverManager.getConnection(options.postgresUrl(), options.user(), "");
             Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + options.schema() + " CASCADE");
        }
    }

    /** The loader's lag as its query server's {@code /metrics} shows it (sum over partitions). */
    private static final class LoaderLag {
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        private final URI metrics;

        LoaderLag(int queryPort) {
            this.metrics = URI.create("http://127.0.0.1:" + queryPort + "/metrics");
        }

        /** The lag in records, or -1 when /metrics does not answer. */
        long read() {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200
                        ? (long) new PrometheusText(r.body()).sum("footfall_loader_lag_records", l -> true) : -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            } catch (Exception e) {
                return -1;
            }
        }
    }
}
