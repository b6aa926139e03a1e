package io.footfall.app.loader;

import io.footfall.app.broker.EmbeddedKafka;
import io.footfall.app.broker.Topics;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.json.StoredEventJson;
import io.footfall.loader.consume.LoaderService;
import io.footfall.loader.consume.Loaders;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.Migrations;
import io.footfall.loader.warehouse.CopyText;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.footfall.loader.warehouse.PostgresWarehouse;
import io.footfall.loader.warehouse.WarehouseWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.postgresql.PGConnection;

/**
 * {@code bench/loader.sh}: the same N generated stored events (a) appended raw with DuckDB's Appender into
 * a bare table, (b) COPYed raw into a bare PostgreSQL table, then (c) drained by the loader from a
 * pre-filled {@code footfall.events} into each warehouse. Prints rows/s, MB/s (of event JSON) and
 * loader / raw ratios.
 *
 * <p>Arguments: {@code events workDir}.
 */
public final class LoaderBench {

    private static final int CHUNK = 10_000;
    /** The freshness target of issue 5 is stated at 10,000 events/s: 20 s of it. */
    private static final int FRESHNESS_RATE = 10_000;
    private static final int FRESHNESS_EVENTS = 20 * FRESHNESS_RATE;

    private LoaderBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path work = Files.createDirectories(Path.of(args[1]));
        // Further arguments KEY=VALUE are loader settings for both drains, e.g. loader.catchUpEvents=10000.
        Map<String, String> extra = new HashMap<>();
        for (String arg : java.util.Arrays.copyOfRange(args, 2, args.length)) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("expected KEY=VALUE, got '" + arg + "'");
            }
            extra.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        System.out.printf(Locale.ROOT, "loader bench: %,d events, %d cores, java %s%n", n,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        EmbeddedKafka broker = EmbeddedKafka.start(work.resolve("kafka"), 0,
                FootfallConfig.from(io.footfall.core.config.Settings.of(Map.of("kafka.partitions", "6"))).kafka());
        try {
            Map<String, String> duckSettings = new HashMap<>(Map.of("dataDir", work.toString(),
                    "kafka.bootstrapServers", broker.bootstrapServers(), "kafka.partitions", "6"));
            duckSettings.putAll(extra);
            FootfallConfig config = FootfallConfig.from(io.footfall.core.config.Settings.of(duckSettings));
            Topics.ensure(config.kafka(), Duration.ofSeconds(30));
            long t0 = System.nanoTime();
            long bytes = fill(broker.bootstrapServers(), n);
            report("fill footfall.events (producer)", n, bytes, System.nanoTime() - t0);
            double mb = bytes / 1e6;

            double rawDuck = rawDuckDb(work.resolve("raw.duckdb"), n, mb, false, false);
            double keyedDuck = rawDuckDb(work.resolve("keyed.duckdb"), n, mb, true, false);
            double rawDuckSmallGroups = rawDuckDb(work.resolve("raw-small-groups.duckdb"), n, mb, false, true);
            double rawPg = rawPostgres(n, mb, false, 1);
            double keyedPg = rawPostgres(n, mb, true, 1);
            double rawPgTwo = rawPostgres(n, mb, false, 2);
            double loaderDuck;
            try (DuckDbWarehouse duck = DuckDbWarehouse.open(work.resolve("loader.duckdb"))) {
                loaderDuck = drain(config, duck, n, mb, "loader -> DuckDB");
            }
            String schema = LoaderFixtures.freshSchema("bench");
            double loaderPg;
            try {
                Map<String, String> pgSettings = new HashMap<>(Map.of("dataDir", work.toString(),
                        "kafka.bootstrapServers", broker.bootstrapServers(), "loader.warehouse", "postgres",
                        "loader.jdbcUrl", LoaderFixtures.PG_URL, "loader.user", "postgres", "loader.schema", schema));
                pgSettings.putAll(extra);
                FootfallConfig pg = FootfallConfig.from(io.footfall.core.config.Settings.of(pgSettings));
                try (PostgresWarehouse warehouse = PostgresWarehouse.open(pg.loader())) {
                    loaderPg = drain(pg, warehouse, n, mb, "loader -> PostgreSQL");
                }
            } finally {
                LoaderFixtures.dropSchema(schema);
            }
            // After both drains, so the PostgreSQL drain reads exactly the same N events.
            try (DuckDbWarehouse duck = DuckDbWarehouse.open(work.resolve("loader.duckdb"))) {
                freshness(config, duck, broker.bootstrapServers(), n, "loader -> DuckDB");
            }
            System.out.printf(Locale.ROOT, "ratio loader/raw DuckDB:     %.2f  (target >= 0.70); loader/raw into the keyed table %.2f;"
                    + " loader/raw with the loader's row groups %.2f%n", loaderDuck / rawDuck, loaderDuck / keyedDuck,
                    loaderDuck / rawDuckSmallGroups);
            System.out.printf(Locale.ROOT, "ratio loader/raw PostgreSQL: %.2f  (target >= 0.70); loader/raw into the keyed table %.2f;"
                    + " loader/raw over 2 connections %.2f%n", loaderPg / rawPg, loaderPg / keyedPg, loaderPg / rawPgTwo);
        } finally {
            broker.close();
        }
    }

    /** Sessions of the run: event i continues session {@code i % SESSIONS}, whose events are SESSIONS apart. */
    static final int SESSIONS = Integer.getInteger("bench.sessions", 300_000);

    /**
     * Event i of the run: every column set, 500 sites' worth of paths, 100k visitors, 300k sessions; the first
     * SESSIONS events start their sessions, each later one continues the session it shares with its
     * predecessors, {@code SESSIONS} events (30 default batches) later, as a live stream spreads a session over
     * many batches.
     */
    static StoredEvent event(int i) {
        return new StoredEvent(new UUID(0xBE7CL, i).toString(), "site" + (i % 20) + ".example", i % 10 == 0 ? "event" : "pageview",
                i % 10 == 0 ? "signup" : null, 1_780_000_000_000L + i * 10L, 1_780_000_000_000L + i * 10L - 120,
                "https://site" + (i % 20) + ".example/blog/post-" + (i % 500) + "?utm_source=news", "site" + (i % 20) + ".example",
                "/blog/post-" + (i % 500), "utm_source=news", "Post number " + (i % 500), "https://www.google.com/search",
                "www.google.com", "search", "news", null, null, null, null, "v" + (i % 100_000), "s" + (i % SESSIONS),
                1 + i / SESSIONS, i < SESSIONS, "Chrome", "131", "Windows", "10", "desktop", false, "GB", "ENG", null, "1920x1080",
                "en-GB", "Europe/London", i % 3 == 0 ? "{\"plan\":\"pro\"}" : null, "bench", "Google");
    }

    private static long fill(String bootstrap, int n) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                byte[] value = StoredEventJson.encode(event(i));
                bytes += value.length;
                producer.send(new ProducerRecord<>(KafkaConfig.EVENTS_TOPIC, ("v" + (i % 100_000)).getBytes(StandardCharsets.UTF_8), value));
            }
            producer.flush();
        }
        return bytes;
    }

    /**
     * The Appender straight into a table: {@code keyed} = the live table's shape (primary key on event_id),
     * otherwise a bare table without any key.
     */
    private static double rawDuckDb(Path file, int n, double mb, boolean keyed, boolean loaderRowGroups) throws Exception {
        String url = "jdbc:duckdb:" + (loaderRowGroups ? "" : file.toString());
        try (DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection(url)) {
            if (loaderRowGroups) {
                // The row groups the loader's warehouse uses, for a like-for-like reference.
                DuckDbWarehouse.attachAsDefault(c, file);
            }
            try (Statement st = c.createStatement()) {
                for (String sql : Migrations.eventsTableStatements(Dialect.DUCKDB, "bare")) {
                    st.execute(keyed ? sql : sql.replace("event_id UUID PRIMARY KEY", "event_id UUID"));
                }
            }
            long t0 = System.nanoTime();
            for (int from = 0; from < n; from += CHUNK) {
                try (DuckDBAppender a = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "bare")) {
                    for (int i = from; i < Math.min(n, from + CHUNK); i++) {
                        io.footfall.loader.warehouse.AppenderRows.append(a, event(i));
                    }
                }
            }
            String name = keyed ? "raw DuckDB Appender, keyed table" : "raw DuckDB Appender, bare table";
            return report(loaderRowGroups ? name + ", loader's row groups" : name, n, mb * 1e6, System.nanoTime() - t0);
        }
    }

    /**
     * COPY straight into a table: {@code keyed} = the live table's shape (primary key and index), else bare;
     * over {@code connections} connections at once, each COPYing every {@code connections}-th chunk (the
     * PostgreSQL loader writes on {@code loader.writers} connections).
     */
    private static double rawPostgres(int n, double mb, boolean keyed, int connections) throws Exception {
        String schema = LoaderFixtures.freshSchema("benchraw");
        try (Connection c = LoaderFixtures.postgres(); Statement st = c.createStatement()) {
            st.execute("SET search_path TO " + schema);
            if (keyed) {
                for (String sql : Migrations.eventsTableStatements(Dialect.POSTGRES, "bare")) {
                    st.execute(sql);
                }
            } else {
                for (String sql : Migrations.eventsTableStatements(Dialect.POSTGRES, "bare")) {
                    if (!sql.startsWith("CREATE INDEX")) {
                        st.execute(sql.replace("event_id UUID PRIMARY KEY", "event_id UUID"));
                    }
                }
            }
            long t0 = System.nanoTime();
            java.util.List<java.util.concurrent.Future<Void>> streams = new java.util.ArrayList<>();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(connections);
            try {
                for (int k = 0; k < connections; k++) {
                    int first = k * CHUNK;
                    streams.add(pool.submit(() -> {
                        try (Connection own = LoaderFixtures.postgres()) {
                            for (int from = first; from < n; from += CHUNK * connections) {
                                CopyText copy = new CopyText(CHUNK * 600);
                                for (int i = from; i < Math.min(n, from + CHUNK); i++) {
                                    copy.add(event(i));
                                }
                                own.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + schema + ".bare FROM STDIN",
                                        new ByteArrayInputStream(copy.bytes()));
                            }
                        }
                        return null;
                    }));
                }
                for (var stream : streams) {
                    stream.get();
                }
            } finally {
                pool.shutdownNow();
            }
            return report((keyed ? "raw PostgreSQL COPY, keyed table" : "raw PostgreSQL COPY, bare table")
                    + (connections == 1 ? "" : ", " + connections + " connections"), n, mb * 1e6, System.nanoTime() - t0);
        } finally {
            LoaderFixtures.dropSchema(schema);
        }
    }

    private static <W extends WarehouseWriter> double drain(FootfallConfig config, W warehouse, int n, double mb, String label)
            throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TimedWriter timed = new TimedWriter(warehouse);
        try (Loaders loader = new Loaders(config.kafka(), config.loader(), timed, registry)) {
            long t0 = System.nanoTime();
            loader.start();
            while (registry.get("footfall.loader.rows.written").counter().count() < n) {
                TimeUnit.MILLISECONDS.sleep(20);
                if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(15)) {
                    throw new IllegalStateException(label + ": not drained in 15 minutes");
                }
            }
            long elapsed = System.nanoTime() - t0;
            double rate = report(label, n, mb * 1e6, elapsed);
            System.out.printf(Locale.ROOT, "  (%s, %d writers: %.0f%% of the time in warehouse transactions, summed over"
                    + " the writers; %d batches)%n", label, loader.size(), 100.0 * timed.writeNanos.get() / elapsed, timed.batches.get());
            var freshness = registry.get("footfall.loader.freshness").timer();
            System.out.printf(Locale.ROOT, "  (%s: freshness here is backlog age, max %.1f s)%n", label,
                    freshness.max(TimeUnit.SECONDS));
            return rate;
        }
    }

    /**
     * Events paced at {@value #FRESHNESS_RATE}/s for 20 s into a drained loader; prints the freshness
     * histogram's p50 / p99 (time from broker append to commit, upper bounds of the histogram buckets).
     */
    private static void freshness(FootfallConfig config, WarehouseWriter warehouse, String bootstrap, int firstId, String label)
            throws Exception {
        // Prometheus keeps the histogram buckets (a SimpleMeterRegistry does not).
        var registry = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        try (LoaderService loader = new LoaderService(config.kafka(), config.loader(), warehouse, registry)) {
            loader.start();
            Map<String, Object> p = new HashMap<>();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            long t0 = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < FRESHNESS_EVENTS; i++) {
                    long due = t0 + i * (1_000_000_000L / FRESHNESS_RATE);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    producer.send(new ProducerRecord<>(KafkaConfig.EVENTS_TOPIC, ("v" + (i % 100_000)).getBytes(StandardCharsets.UTF_8),
                            StoredEventJson.encode(event(firstId + i))));
                }
            }
            while (registry.get("footfall.loader.rows.written").counter().count() < FRESHNESS_EVENTS) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            var snapshot = registry.get("footfall.loader.freshness").timer().takeSnapshot();
            System.out.printf(Locale.ROOT, "%-34s %,d events at %,d/s: freshness p50 <= %.0f ms, p99 <= %.0f ms, max %.0f ms%n",
                    label + ", paced", FRESHNESS_EVENTS, FRESHNESS_RATE, bucketAt(snapshot, 0.50), bucketAt(snapshot, 0.99),
                    snapshot.max(TimeUnit.MILLISECONDS));
        }
    }

    /** The upper bound, in ms, of the histogram bucket holding the given quantile. */
    private static double bucketAt(io.micrometer.core.instrument.distribution.HistogramSnapshot snapshot, double quantile) {
        double target = quantile * snapshot.count();
        for (var bucket : snapshot.histogramCounts()) {
            if (bucket.count() >= target) {
                return bucket.bucket(TimeUnit.MILLISECONDS);
            }
        }
        return snapshot.max(TimeUnit.MILLISECONDS);
    }

    /**
     * Measures how much of the drain is spent inside the warehouse transaction (the rest: consume, decode, check),
     * over every writer thread (PostgreSQL's two by default: their times add up).
     */
    private static final class TimedWriter extends FlakyWriter {
        final java.util.concurrent.atomic.AtomicLong writeNanos = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong batches = new java.util.concurrent.atomic.AtomicLong();

        TimedWriter(WarehouseWriter delegate) {
            super(delegate);
        }

        @Override
        public long write(java.util.List<StoredEvent> events, String topic,
                          java.util.List<io.footfall.loader.warehouse.OffsetCommit> offsets) throws java.sql.SQLException {
            long t0 = System.nanoTime();
            try {
                return super.write(events, topic, offsets);
            } finally {
                writeNanos.addAndGet(System.nanoTime() - t0);
                batches.incrementAndGet();
            }
        }
    }

    private static double report(String label, long rows, double bytes, long nanos) {
        double seconds = nanos / 1e9;
        double rate = rows / seconds;
        System.out.printf(Locale.ROOT, "%-34s %,12d rows in %6.1f s = %,10.0f rows/s  %6.1f MB/s%n", label, rows, seconds,
                rate, bytes / 1e6 / seconds);
        return rate;
    }
}
