package io.footfall.app.loader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.reliability.TcpProxy;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.json.StoredEventJson;
import io.footfall.loader.consume.Loaders;
import io.footfall.loader.warehouse.PostgresWarehouse;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL unreachable (connections reset, then refused) while events keep arriving: no crash, exact catch-up. */
class PostgresOutageIT {

    /** One per test: the warehouse's stored offsets belong to that test's broker. */
    String schema;

    @TempDir
    Path dir;

    @BeforeEach
    void createSchema() throws SQLException {
        schema = LoaderFixtures.freshSchema("outage");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        LoaderFixtures.dropSchema(schema);
    }

    @Test
    void anOutageUnderLoadTurnsIntoLagThenCatchesUpExactly() throws Exception {
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 3);
             TcpProxy proxy = new TcpProxy(5432)) {
            FootfallConfig config = throughProxy(broker, proxy, "loader.batchEvents", "2000");
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (PostgresWarehouse warehouse = PostgresWarehouse.open(config.loader());
                 Loaders loader = new Loaders(config.kafka(), config.loader(), warehouse, registry)) {
                loader.start();
                LoaderFixtures.produce(broker.bootstrapServers(), chunk(0, 5_000));
                await().atMost(Duration.ofSeconds(30)).until(() -> rows() == 5_000);

                proxy.cut();
                LoaderFixtures.produce(broker.bootstrapServers(), chunk(5_000, 15_000));
                await().atMost(Duration.ofSeconds(40)).until(() -> registry.get("footfall.loader.batches.failed").counter().count() >= 2);
                assertTrue(loader.running(), "the loader survives the outage");
                assertEquals(5_000, rows(), "nothing written while unreachable");
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertTrue(lag(registry) >= 10_000,
                        () -> "lag " + loader.lag() + ", partitions owned " + loader.partitionsPerWriter()
                                + ", failed batches " + registry.get("footfall.loader.batches.failed").counter().count()));

                proxy.restore();
                // The same events again, as an upstream retry would: the rows stay unique.
                LoaderFixtures.produce(broker.bootstrapServers(), chunk(10_000, 20_000));
                await().atMost(Duration.ofSeconds(60)).until(() -> rows() == 20_000);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(0, lag(registry),
                        () -> "lag " + loader.lag()));
                assertTrue(loader.running());
            }
            assertEquals(20_000, rows());
            try (Connection c = LoaderFixtures.postgres()) {
                assertEquals(25_000, LoaderFixtures.count(c, "SELECT sum(next_offset) FROM " + schema + ".footfall_offsets"),
                        "every record consumed exactly up to the end");
            }
        }
    }

    /**
     * A loader that leaves the group during an outage hands its partitions to one that cannot read their stored
     * offsets yet: the lag it shows for them still counts every record not written.
     */
    @Test
    void partitionsTakenOverDuringAnOutageKeepShowingTheirLag() throws Exception {
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 3);
             TcpProxy proxy = new TcpProxy(5432)) {
            FootfallConfig config = throughProxy(broker, proxy, "loader.writers", "1");
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (PostgresWarehouse warehouse = PostgresWarehouse.open(config.loader());
                 Loaders stays = new Loaders(config.kafka(), config.loader(), warehouse, registry)) {
                stays.start();
                try (PostgresWarehouse otherWarehouse = PostgresWarehouse.open(config.loader());
                     Loaders leaves = new Loaders(config.kafka(), config.loader(), otherWarehouse,
                             new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
                    leaves.start();
                    await().atMost(Duration.ofSeconds(30)).until(() -> stays.partitionsPerWriter().get(0) > 0
                            && leaves.partitionsPerWriter().get(0) > 0
                            && stays.partitionsPerWriter().get(0) + leaves.partitionsPerWriter().get(0) == 3);
                    LoaderFixtures.produce(broker.bootstrapServers(), chunk(0, 3_000));
                    await().atMost(Duration.ofSeconds(30)).until(() -> rows() == 3_000);

                    proxy.cut();
                    LoaderFixtures.produce(broker.bootstrapServers(), chunk(3_000, 9_000));
                }
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertEquals(List.of(3), stays.partitionsPerWriter(), "every partition taken over");
                    assertEquals(3, stays.lag().size(), () -> "a lag figure for every partition: " + stays.lag());
                    assertEquals(6_000, lag(registry), () -> "lag " + stays.lag());
                });
                assertEquals(3_000, rows(), "nothing written while unreachable");

                proxy.restore();
                await().atMost(Duration.ofSeconds(60)).until(() -> rows() == 9_000);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(0, lag(registry),
                        () -> "lag " + stays.lag()));
                assertTrue(stays.running());
            }
        }
    }

    /** A PostgreSQL loader's config that reaches this test's schema through the proxy; one more setting. */
    private FootfallConfig throughProxy(TestBroker broker, TcpProxy proxy, String key, String value) {
        return broker.config(dir, Map.of("loader.warehouse", "postgres",
                "loader.jdbcUrl", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test", "loader.user", "postgres",
                "loader.schema", schema, "loader.batchDelay", "100ms", key, value));
    }

    private static List<byte[]> chunk(int from, int to) {
        List<byte[]> values = new ArrayList<>();
        for (int i = from; i < to; i++) {
            values.add(StoredEventJson.encode(LoaderFixtures.event(i)));
        }
        return values;
    }

    private static double lag(PrometheusMeterRegistry registry) {
        return registry.find("footfall.loader.lag").gauges().stream().mapToDouble(g -> g.value()).sum();
    }

    private long rows() throws SQLException {
        try (Connection c = LoaderFixtures.postgres()) {
            return LoaderFixtures.count(c, "SELECT count(*) FROM " + schema + ".events");
        }
    }
}
