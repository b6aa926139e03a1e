package io.footfall.app.loader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.testing.ForwardingWarehouseWriter;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.json.StoredEventJson;
import io.footfall.loader.consume.Loaders;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.SessionRollup;
import io.footfall.loader.warehouse.OffsetCommit;
import io.footfall.loader.warehouse.PostgresWarehouse;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL loader's default two writers in one process: each owns its share of the partitions and writes
 * it in its own transactions, and together they store every event once, move every partition's offset to its
 * end, keep the sessions rollup equal to a rebuild, and report one lag figure per partition.
 */
class PostgresWritersIT {

    private static final int EVENTS = 20_000;

    static String schema;

    @TempDir
    Path dir;

    @BeforeAll
    static void createSchema() throws SQLException {
        schema = LoaderFixtures.freshSchema("writers");
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        LoaderFixtures.dropSchema(schema);
    }

    @Test
    void twoWritersShareThePartitionsAndStoreEveryEventOnce() throws Exception {
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 4)) {
            FootfallConfig config = broker.config(dir, Map.of("loader.warehouse", "postgres",
                    "loader.jdbcUrl", LoaderFixtures.PG_URL, "loader.user", "postgres", "loader.schema", schema,
                    "loader.batchEvents", "1000", "loader.batchDelay", "100ms",
                    // Static members, as in the standalone: each writer needs an id of its own.
                    "kafka.client.group.instance.id", "writers-it"));
            assertEquals(2, config.loader().writers(), "two writers are PostgreSQL's default");
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Set<String> writerThreads = ConcurrentHashMap.newKeySet();
            try (PostgresWarehouse warehouse = PostgresWarehouse.open(config.loader());
                 Loaders loaders = new Loaders(config.kafka(), config.loader(), new ForwardingWarehouseWriter(warehouse) {
                     @Override
                     public long write(List<StoredEvent> events, String topic, List<OffsetCommit> offsets) throws SQLException {
                         writerThreads.add(Thread.currentThread().getName());
                         return super.write(events, topic, offsets);
                     }
                 }, registry)) {
                List<byte[]> values = new ArrayList<>();
                for (int i = 0; i < EVENTS; i++) {
                    values.add(StoredEventJson.encode(LoaderFixtures.event(i)));
                }
                // Keyed by visitor, as the enricher keys them: a session's events share a partition. Half before
                // the start, a backlog there when the group assigns the partitions (all to the first writer that
                // joins, then half moved, when the two joins do not meet in one rebalance); the other half once
                // both own their share.
                LoaderFixtures.produce(broker.bootstrapServers(), values.subList(0, EVENTS / 2));
                loaders.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> loaders.partitionsPerWriter().equals(List.of(2, 2)));
                LoaderFixtures.produce(broker.bootstrapServers(), values.subList(EVENTS / 2, EVENTS));
                await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM " + schema + ".events") == EVENTS);
                // One lag figure per partition (refreshed each second), all of them 0.
                await().atMost(Duration.ofSeconds(10)).until(() -> lagGauges(registry).size() == 4
                        && lagGauges(registry).stream().mapToDouble(Gauge::value).sum() == 0);

                assertEquals(Set.of("footfall-loader-writer-1", "footfall-loader-writer-2"), writerThreads,
                        "both writers committed batches");
                assertTrue(loaders.running());
                assertEquals(4, lagGauges(registry).size(), "one lag figure per partition: " + lagGauges(registry));
                await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("footfall.loader.batch.records").gauge().value() == 0);
                assertEquals(EVENTS, registry.get("footfall.loader.rows.written").counter().count(), "the writers' rows add up");
            }
            assertEquals(EVENTS, count("SELECT sum(next_offset) FROM " + schema + ".footfall_offsets"));
            assertEquals(4, count("SELECT count(*) FROM " + schema + ".footfall_offsets"));
            try (Connection c = LoaderFixtures.postgres(); Statement st = c.createStatement()) {
                st.execute("SET search_path TO " + schema);
                String sessions = "SELECT * FROM " + SessionRollup.TABLE + " ORDER BY site, session_id";
                List<String> incremental = LoaderFixtures.rows(c, sessions);
                assertEquals(EVENTS, count("SELECT sum(pageviews + events) FROM " + schema + "." + SessionRollup.TABLE));
                LoaderFixtures.rebuildRollup(c, Dialect.POSTGRES);
                assertEquals(LoaderFixtures.rows(c, sessions), incremental, "the rollup the writers kept equals a rebuild");
            }
        }
    }

    /**
     * Two loader processes (each its own registry, as each its own /metrics): a partition the second one takes over
     * is reported by it alone. The first one's figure for it must go, or a sum over the loaders (the alert in
     * docs/deploy.md) counts the backlog it had there for ever after the second one has stored it.
     */
    @Test
    void aPartitionTakenOverByAnotherLoaderIsReportedByThatLoaderAlone() throws Exception {
        // A schema of its own: the stored offsets of the other test's broker mean nothing to this one's.
        String own = LoaderFixtures.freshSchema("writers_owner");
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 4)) {
            FootfallConfig config = broker.config(dir, Map.of("loader.warehouse", "postgres",
                    "loader.jdbcUrl", LoaderFixtures.PG_URL, "loader.user", "postgres", "loader.schema", own,
                    "loader.writers", "1", "loader.batchEvents", "1000", "loader.batchDelay", "100ms"));
            List<byte[]> values = new ArrayList<>();
            for (int i = 0; i < EVENTS / 4; i++) {
                values.add(StoredEventJson.encode(LoaderFixtures.event(i)));
            }
            LoaderFixtures.produce(broker.bootstrapServers(), values);
            PrometheusMeterRegistry first = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            PrometheusMeterRegistry second = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            AtomicBoolean firstFails = new AtomicBoolean(true);
            try (PostgresWarehouse firstWarehouse = PostgresWarehouse.open(config.loader());
                 PostgresWarehouse secondWarehouse = PostgresWarehouse.open(config.loader());
                 Loaders firstLoader = new Loaders(config.kafka(), config.loader(), new ForwardingWarehouseWriter(firstWarehouse) {
                     @Override
                     public long write(List<StoredEvent> events, String topic, List<OffsetCommit> offsets) throws SQLException {
                         if (firstFails.get()) {
                             throw new SQLException("test: the first loader's writes fail, so its backlog stays");
                         }
                         return super.write(events, topic, offsets);
                     }
                 }, first)) {
                firstLoader.start();
                // Alone, it owns every partition and reports the whole backlog it cannot store.
                await().atMost(Duration.ofSeconds(30)).until(() -> partitions(first).size() == 4
                        && lagGauges(first).stream().mapToDouble(Gauge::value).sum() == EVENTS / 4);
                try (Loaders secondLoader = new Loaders(config.kafka(), config.loader(), secondWarehouse, second)) {
                    secondLoader.start();
                    await().atMost(Duration.ofSeconds(30)).until(() -> firstLoader.partitionsPerWriter().equals(List.of(2))
                            && secondLoader.partitionsPerWriter().equals(List.of(2)));
                    firstFails.set(false);
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> count("SELECT count(*) FROM " + own + ".events") == EVENTS / 4);
                    // Each partition once, by the loader that owns it, and the backlog gone from the sum.
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        assertEquals(2, partitions(first).size(), "the first loader reports " + lagFigures(first));
                        assertEquals(2, partitions(second).size(), "the second loader reports " + lagFigures(second));
                        assertEquals(0, lagGauges(first).stream().mapToDouble(Gauge::value).sum()
                                + lagGauges(second).stream().mapToDouble(Gauge::value).sum(),
                                "every event is stored; lag left: first " + lagFigures(first) + ", second " + lagFigures(second));
                    });
                    Set<String> all = new java.util.HashSet<>(partitions(first));
                    all.addAll(partitions(second));
                    assertEquals(Set.of("0", "1", "2", "3"), all, "first " + partitions(first) + ", second " + partitions(second));
                }
            }
        } finally {
            LoaderFixtures.dropSchema(own);
        }
    }

    private static Map<String, Double> lagFigures(PrometheusMeterRegistry registry) {
        Map<String, Double> figures = new java.util.TreeMap<>();
        lagGauges(registry).forEach(g -> figures.put(g.getId().getTag("partition"), g.value()));
        return figures;
    }

    private static Set<String> partitions(PrometheusMeterRegistry registry) {
        Set<String> partitions = new java.util.TreeSet<>();
        lagGauges(registry).forEach(g -> partitions.add(g.getId().getTag("partition")));
        return partitions;
    }

    @Test
    void aWarehouseThatCannotBeMigratedLeavesNoWriterBehind() throws Exception {
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 4)) {
            // Nothing listens on port 1: the migration fails after the pool's connection timeout.
            FootfallConfig config = broker.config(dir, Map.of("loader.warehouse", "postgres",
                    "loader.jdbcUrl", "jdbc:postgresql://127.0.0.1:1/test", "loader.user", "postgres", "loader.schema", schema));
            long producersBefore = producerThreads();
            try (PostgresWarehouse warehouse = PostgresWarehouse.open(config.loader())) {
                Loaders loaders = new Loaders(config.kafka(), config.loader(), warehouse, new SimpleMeterRegistry());
                assertEquals(producersBefore + 2, producerThreads(), "each writer has its footfall.bad producer");
                assertThrows(SQLException.class, loaders::start);
                await().atMost(Duration.ofSeconds(10)).until(() -> producerThreads() == producersBefore);
                assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("footfall-loader")),
                        "no loader thread left");
            }
        }
    }

    private static long producerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("kafka-producer-network-thread") && t.isAlive()).count();
    }

    private static List<Gauge> lagGauges(PrometheusMeterRegistry registry) {
        return new ArrayList<>(registry.find("footfall.loader.lag").gauges());
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = LoaderFixtures.postgres()) {
            return LoaderFixtures.count(c, sql);
        }
    }
}
