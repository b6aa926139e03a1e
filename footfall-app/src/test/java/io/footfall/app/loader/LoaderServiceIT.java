package io.footfall.app.loader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.testing.ForwardingWarehouseWriter;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.json.BadEventJson;
import io.footfall.core.json.StoredEventJson;
import io.footfall.loader.consume.LoaderService;
import io.footfall.loader.consume.Loaders;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.footfall.loader.warehouse.OffsetCommit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader against a real broker and DuckDB: refused rows, warehouse outages, metrics. */
class LoaderServiceIT {

    @TempDir
    Path dataDir;

    /** One broker per test: each test counts every record of its topics. */
    TestBroker broker;

    @BeforeEach
    void startBroker() {
        broker = TestBroker.start(dataDir.resolve("broker"), 3);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    private FootfallConfig config(String groupId) {
        return broker.config(dataDir, Map.of("loader.groupId", groupId, "loader.batchEvents", "1000",
                "loader.batchDelay", "100ms", "loader.catchUpEvents", "4000"));
    }

    @Test
    void rowsTheWarehouseRejectsGoToBadAndLoadingContinues() throws Exception {
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            values.add(StoredEventJson.encode(LoaderFixtures.event(1_000_000 + i)));
            if (i == 100) {
                values.add("{not a stored event".getBytes(StandardCharsets.UTF_8));
            }
            if (i == 200) {
                StoredEvent e = LoaderFixtures.event(1_000_000 + i);
                values.add(StoredEventJson.encode(new StoredEvent("not-a-uuid", e.site(), e.type(), e.name(), e.receivedAt(),
                        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, 1,
                        true, null, null, null, null, null, false, null, null, null, null, null, null, null, null, null)));
            }
        }
        LoaderFixtures.produce(broker.bootstrapServers(), values);
        FootfallConfig config = config("bad-rows");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(dataDir.resolve("w.duckdb"));
             LoaderService loader = new LoaderService(config.kafka(), config.loader(), warehouse, registry)) {
            loader.start();
            awaitRows(warehouse, loader, registry, 300);
            assertTrue(loader.running());

            List<ConsumerRecord<byte[], byte[]>> bad = LoaderFixtures.readAll(broker.bootstrapServers(), KafkaConfig.BAD_TOPIC, 2, 15_000);
            Set<String> reasons = new TreeSet<>();
            for (ConsumerRecord<byte[], byte[]> record : bad) {
                BadEvent e = BadEventJson.decode(record.value());
                assertEquals("load", e.stage());
                reasons.add(e.reason() + ":" + e.payload().startsWith("{"));
            }
            assertEquals(Set.of("invalid_event_id:true", "undecodable:true"), reasons);
            assertEquals(2, bad.size());
            String metrics = registry.scrape();
            assertTrue(metrics.contains("footfall_loader_rows_rejected_total 2.0"), metrics);
        }
    }

    /**
     * A loader that stops by itself (here its writer throws what no retry can mend) says so to whoever watches it
     * (the commands exit for their supervisor to restart them), with the reason, instead of idling unseen.
     */
    @Test
    void aLoaderThatStopsByItselfTellsItsWatcherWhy() throws Exception {
        LoaderFixtures.produce(broker.bootstrapServers(), List.of(StoredEventJson.encode(LoaderFixtures.event(7))));
        FootfallConfig config = config("fails");
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(dataDir.resolve("w.duckdb"));
             Loaders loaders = new Loaders(config.kafka(), config.loader(), new ForwardingWarehouseWriter(warehouse) {
                 @Override
                 public long write(List<StoredEvent> events, String topic, List<OffsetCommit> offsets) {
                     throw new UnsupportedOperationException("a writer that cannot write");
                 }
             }, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            loaders.onFailure(told::add);
            loaders.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> !told.isEmpty());
            assertEquals(List.of("java.lang.UnsupportedOperationException: a writer that cannot write"), told);
            await().atMost(Duration.ofSeconds(10)).until(() -> !loaders.running());
            List<String> late = new ArrayList<>();
            loaders.onFailure(late::add);
            assertEquals(told, late, "a watcher that comes after the failure hears of it at once");
        }
    }

    /**
     * The enricher writes footfall.events in transactions; each commit marker takes an offset that is never a
     * record. Once everything is stored the lag must read 0, not one marker per partition.
     */
    @Test
    void lagIsZeroWhenCaughtUpWithATransactionalProducer() throws Exception {
        Map<String, Object> p = new java.util.HashMap<>();
        p.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, "lag-test");
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(p,
                new org.apache.kafka.common.serialization.ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.initTransactions();
            for (int t = 0; t < 3; t++) {
                producer.beginTransaction();
                for (int i = 0; i < 100; i++) {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(KafkaConfig.EVENTS_TOPIC, i % 3, null,
                            StoredEventJson.encode(LoaderFixtures.event(2_000_000 + t * 100 + i))));
                }
                producer.commitTransaction();
            }
        }
        FootfallConfig config = config("markers");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(dataDir.resolve("w.duckdb"));
             LoaderService loader = new LoaderService(config.kafka(), config.loader(), warehouse, registry)) {
            loader.start();
            awaitRows(warehouse, loader, registry, 300);
            // The markers are there: each partition holds 100 records and 3 markers (log end 103), and the
            // stored offset is its last record + 1 = 102, so log end − stored offset alone would read 1 ...
            try (Connection c = warehouse.readConnection()) {
                assertEquals(3 * 102, LoaderFixtures.count(c, "SELECT sum(next_offset) FROM footfall_offsets"));
            }
            // ... and the lag gauge still settles at 0.
            await().atMost(Duration.ofSeconds(10)).until(() -> loader.lag().size() == 3
                    && loader.lag().values().stream().mapToLong(Long::longValue).sum() == 0);
            // So do standard tools reading the group's offsets in Kafka: the positions committed there for
            // information are past the last markers. (Here the batch's own commit already gets there; the idle
            // commit matters when a batch commits before the fetch that steps over the marker, as in the
            // crash suite, whose drain waited 3 minutes on a lag of 2 without it.)
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> admin.listConsumerGroupOffsets(config.loader().groupId())
                        .partitionsToOffsetAndMetadata().get().values().stream().mapToLong(o -> o.offset()).sum() == 3 * 103);
            }
        }
    }

    @Test
    void aWarehouseOutageAtAssignmentAndDuringBatchesPausesConsumptionThenCatchesUpExactly() throws Exception {
        FootfallConfig config = config("outage");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        int base = 2_000_000;
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(dataDir.resolve("w.duckdb"))) {
            FlakyWriter flaky = new FlakyWriter(warehouse);
            flaky.down.set(true);
            try (LoaderService loader = new LoaderService(config.kafka(), config.loader(), flaky, registry)) {
                loader.start();
                // Down while partitions are assigned: reading the stored offsets fails, the loader lives on.
                await().atMost(Duration.ofSeconds(30)).until(() -> flaky.failedCalls.get() >= 2);
                List<byte[]> values = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    values.add(StoredEventJson.encode(LoaderFixtures.event(base + i)));
                }
                LoaderFixtures.produce(broker.bootstrapServers(), values);
                int failedSoFar = flaky.failedCalls.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> flaky.failedCalls.get() >= failedSoFar + 3);
                assertTrue(loader.running(), "a warehouse outage does not stop the loader");
                assertEquals(0, rows(warehouse));

                // Up again mid-stream: then down again while batches are flowing.
                flaky.down.set(false);
                await().atMost(Duration.ofSeconds(30)).until(() -> rows(warehouse) > 0);
                flaky.down.set(true);
                AtomicInteger peakHeld = new AtomicInteger();
                int failedAgain = flaky.failedCalls.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    peakHeld.accumulateAndGet((int) registry.get("footfall.loader.batch.records").gauge().value(), Math::max);
                    return flaky.failedCalls.get() >= failedAgain + 4;
                });
                long lagWhileDown = registry.find("footfall.loader.lag").gauges().stream()
                        .mapToLong(g -> (long) g.value()).sum();
                assertTrue(lagWhileDown > 0, "lag is visible while the warehouse is down");
                // The group's offsets in Kafka (told for information) never pass the stored ones, though records
                // past them were read into the open batch: a loader taking a partition over during the outage
                // counts its lag from there (PartitionLag).
                Map<Integer, Long> stored = warehouse.storedOffsets(KafkaConfig.EVENTS_TOPIC);
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                    admin.listConsumerGroupOffsets(config.loader().groupId()).partitionsToOffsetAndMetadata().get()
                            .forEach((tp, told) -> assertTrue(told.offset() <= stored.getOrDefault(tp.partition(), 0L),
                                    "partition " + tp.partition() + ": Kafka told " + told.offset() + ", stored " + stored));
                }
                flaky.down.set(false);
                awaitRows(warehouse, loader, registry, 20_000);
                assertTrue(loader.running());
                // Paused consumption: the loader never held more than two batches, the one failing to write
                // and the one filled meanwhile (each at most catchUpEvents + one poll of batchEvents records),
                // against the 20,000 records waiting ...
                assertTrue(peakHeld.get() <= 2 * 5_000, "records held while down: " + peakHeld.get());
                assertTrue(flaky.largestBatch.get() <= 5_000, "largest batch " + flaky.largestBatch.get());
                // ... and, with a backlog to catch up on, batches grew past batchEvents + one poll.
                assertTrue(flaky.largestBatch.get() > 2_000, "largest batch " + flaky.largestBatch.get());

                await().atMost(Duration.ofSeconds(10)).until(() -> registry.find("footfall.loader.lag").gauges().stream()
                        .mapToLong(g -> (long) g.value()).sum() == 0);
                String metrics = registry.scrape();
                assertTrue(metrics.contains("footfall_loader_lag_records{partition=\"0\"}"), metrics);
                assertTrue(metrics.contains("footfall_loader_freshness_seconds_bucket"), metrics);
                assertTrue(metrics.contains("footfall_loader_freshness_seconds_count 20000"), metrics);
            }
            assertEquals(20_000, rows(warehouse), "exact count after catch-up");
        }
    }

    /**
     * The consumer thread reads and fills the next batch while the writer thread writes one: with the first
     * write held, the loader holds more records than that batch (a loader that reads only between writes holds
     * exactly the batch). Once the write goes on, every event is stored once and the stored offsets end at
     * the log end.
     */
    @Test
    void theNextBatchFillsWhileOneIsWrittenAndEveryEventIsStoredOnce() throws Exception {
        FootfallConfig config = config("overlap");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(dataDir.resolve("w.duckdb"))) {
            CountDownLatch writing = new CountDownLatch(1);
            CountDownLatch goOn = new CountDownLatch(1);
            AtomicInteger firstBatch = new AtomicInteger();
            ForwardingWarehouseWriter held = new ForwardingWarehouseWriter(warehouse) {
                @Override
                public long write(List<StoredEvent> events, String topic, List<OffsetCommit> offsets) throws SQLException {
                    if (firstBatch.compareAndSet(0, events.size())) {
                        writing.countDown();
                        try {
                            goOn.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new SQLException("interrupted");
                        }
                    }
                    return delegate.write(events, topic, offsets);
                }
            };
            try (LoaderService loader = new LoaderService(config.kafka(), config.loader(), held, registry)) {
                loader.start();
                List<byte[]> values = new ArrayList<>();
                for (int i = 0; i < 6_000; i++) {
                    values.add(StoredEventJson.encode(LoaderFixtures.event(3_000_000 + i)));
                }
                LoaderFixtures.produce(broker.bootstrapServers(), values);
                assertTrue(writing.await(30, TimeUnit.SECONDS), "the first batch reached the warehouse");
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() ->
                            registry.get("footfall.loader.batch.records").gauge().value() > firstBatch.get());
                } finally {
                    goOn.countDown();
                }
                awaitRows(warehouse, loader, registry, 6_000);
                try (Connection c = warehouse.readConnection()) {
                    assertEquals(6_000, LoaderFixtures.count(c, "SELECT count(DISTINCT event_id) FROM events"));
                    assertEquals(6_000, LoaderFixtures.count(c, "SELECT sum(next_offset) FROM footfall_offsets"));
                }
            }
        }
    }

    /**
     * Records the topic deleted before the loader wrote them (it was stopped for longer than the retention, or an older
     * backup was restored) are counted and logged, and loading goes on from the first record there is.
     */
    @Test
    void recordsDeletedFromTheTopicBeforeTheyWereLoadedAreCounted() throws Exception {
        FootfallConfig config = config("expired");
        long reportedBefore = reportedLoss();
        LoaderFixtures.produce(broker.bootstrapServers(), events(4_000_000, 300));
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(dataDir.resolve("w.duckdb"))) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (LoaderService loader = new LoaderService(config.kafka(), config.loader(), warehouse, registry)) {
                loader.start();
                awaitRows(warehouse, loader, registry, 300);
            }
            LoaderFixtures.produce(broker.bootstrapServers(), events(4_100_000, 300));
            // While the loader is stopped, retention deletes the oldest 40 unloaded records of partitions 1 and 2, and
            // every unloaded record of partition 0.
            long deleted = 0;
            Map<Integer, Long> ends = new HashMap<>();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                Map<TopicPartition, RecordsToDelete> cut = new HashMap<>();
                Map<Integer, Long> stored = warehouse.storedOffsets(KafkaConfig.EVENTS_TOPIC);
                assertEquals(3, stored.size(), "the first 300 went to every partition");
                ends.putAll(logEnds(admin));
                for (Map.Entry<Integer, Long> p : stored.entrySet()) {
                    long upTo = p.getKey() == 0 ? ends.get(0) : p.getValue() + 40;
                    assertTrue(upTo > p.getValue(), "partition " + p.getKey() + " has unloaded records");
                    cut.put(new TopicPartition(KafkaConfig.EVENTS_TOPIC, p.getKey()),
                            RecordsToDelete.beforeOffset(upTo));
                    deleted += upTo - p.getValue();
                }
                admin.deleteRecords(cut).all().get(30, TimeUnit.SECONDS);
            }
            PrometheusMeterRegistry again = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (LoaderService loader = new LoaderService(config.kafka(), config.loader(), warehouse, again)) {
                loader.start();
                awaitRows(warehouse, loader, again, 600 - deleted);
                assertEquals((double) deleted, again.get("footfall.loader.records.expired").counter().count());
                long counted = deleted;
                await().atMost(Duration.ofSeconds(15)).until(() -> reportedLoss() - reportedBefore == counted);
            }
            // The loss is recorded: partition 0, where nothing was left to load, stores the first offset there is, and a
            // loader started later (or one the partition moves to) does not count it again.
            assertEquals(ends, warehouse.storedOffsets(KafkaConfig.EVENTS_TOPIC));
            PrometheusMeterRegistry third = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (LoaderService loader = new LoaderService(config.kafka(), config.loader(), warehouse, third)) {
                loader.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> loader.lag().size() == 3);
                assertEquals(0.0, third.get("footfall.loader.records.expired").counter().count());
                assertEquals(600 - deleted, rows(warehouse));
            }
        }
    }

    /**
     * A loader that stays up but falls behind the topic's retention (here the warehouse is down while 30,000 records
     * arrive, and the topic then loses all but its last 100 records a partition) counts the records deleted before it
     * read them, once, and goes on: every record produced is a row or counted, never both, and what it had read
     * before the deletion is stored.
     */
    @Test
    void recordsDeletedWhileARunningLoaderWasBehindAreCounted() throws Exception {
        FootfallConfig config = config("expired-running");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        int produced = 300 + 30_000;
        long reportedBefore = reportedLoss();
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(dataDir.resolve("w.duckdb"))) {
            FlakyWriter flaky = new FlakyWriter(warehouse);
            Map<Integer, Long> ends;
            try (LoaderService loader = new LoaderService(config.kafka(), config.loader(), flaky, registry)) {
                loader.start();
                LoaderFixtures.produce(broker.bootstrapServers(), events(5_000_000, 300));
                awaitRows(warehouse, loader, registry, 300);

                flaky.down.set(true);
                LoaderFixtures.produce(broker.bootstrapServers(), events(5_100_000, 30_000));
                int failed = flaky.failedCalls.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> flaky.failedCalls.get() >= failed + 2);
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                    ends = logEnds(admin);
                    Map<TopicPartition, RecordsToDelete> cut = new HashMap<>();
                    ends.forEach((p, end) -> cut.put(new TopicPartition(KafkaConfig.EVENTS_TOPIC, p),
                            RecordsToDelete.beforeOffset(end - 100)));
                    admin.deleteRecords(cut).all().get(30, TimeUnit.SECONDS);
                }
                flaky.down.set(false);

                Counter expired = registry.get("footfall.loader.records.expired").counter();
                try {
                    await().atMost(Duration.ofSeconds(60)).until(() -> rows(warehouse) + (long) expired.count() == produced
                            && warehouse.storedOffsets(KafkaConfig.EVENTS_TOPIC).equals(ends));
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("rows " + rows(warehouse) + " + expired " + expired.count() + " != "
                            + produced + "; stored " + warehouse.storedOffsets(KafkaConfig.EVENTS_TOPIC) + ", ends " + ends, e);
                }
                // The loader held at most two batches and a fetch of each partition when the records went: a loss.
                assertTrue(expired.count() > 0, "nothing counted");
                await().atMost(Duration.ofSeconds(15)).until(() -> reportedLoss() - reportedBefore == (long) expired.count());
                assertTrue(loader.running());
            }
            try (Connection c = warehouse.readConnection()) {
                assertEquals(rows(warehouse), LoaderFixtures.count(c, "SELECT count(DISTINCT event_id) FROM events"));
                // Every record the topic still holds is stored.
                List<ConsumerRecord<byte[], byte[]>> kept = LoaderFixtures.readAll(broker.bootstrapServers(),
                        KafkaConfig.EVENTS_TOPIC, 300, 15_000);
                assertEquals(300, kept.size());
                StringBuilder ids = new StringBuilder();
                for (ConsumerRecord<byte[], byte[]> record : kept) {
                    ids.append(ids.isEmpty() ? "'" : ",'").append(StoredEventJson.decode(record.value()).eventId()).append('\'');
                }
                assertEquals(300, LoaderFixtures.count(c, "SELECT count(*) FROM events WHERE event_id IN (" + ids + ")"));
            }
            // Counted once: a loader started afterwards finds the stored offsets at the first records there are.
            long rowsBefore = rows(warehouse);
            PrometheusMeterRegistry again = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (LoaderService loader = new LoaderService(config.kafka(), config.loader(), warehouse, again)) {
                loader.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> loader.lag().size() == 3);
                assertEquals(0.0, again.get("footfall.loader.records.expired").counter().count());
                assertEquals(rowsBefore, rows(warehouse));
            }
        }
    }

    /** The records footfall.bad says the loader lost (reason records_expired_before_load), summed over its records. */
    private long reportedLoss() throws Exception {
        long total = 0;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            String bad = KafkaConfig.BAD_TOPIC;
            admin.describeTopics(List.of(bad)).allTopicNames().get(10, TimeUnit.SECONDS).get(bad).partitions()
                    .forEach(p -> latest.put(new TopicPartition(bad, p.partition()), OffsetSpec.latest()));
            for (var info : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values()) {
                total += info.offset();
            }
        }
        long lost = 0;
        for (ConsumerRecord<byte[], byte[]> r : LoaderFixtures.readAll(broker.bootstrapServers(), KafkaConfig.BAD_TOPIC,
                (int) total, 15_000)) {
            BadEvent bad = BadEventJson.decode(r.value());
            if ("records_expired_before_load".equals(bad.reason())) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(": (\\d+) offsets \\(").matcher(bad.detail());
                assertTrue(m.find(), bad.detail());
                lost += Long.parseLong(m.group(1));
            }
        }
        return lost;
    }

    private static List<byte[]> events(int firstSeed, int count) {
        List<byte[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(StoredEventJson.encode(LoaderFixtures.event(firstSeed + i)));
        }
        return values;
    }

    /** Each partition's log end offset. */
    private static Map<Integer, Long> logEnds(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(KafkaConfig.EVENTS_TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(KafkaConfig.EVENTS_TOPIC).partitions()
                .forEach(p -> latest.put(new TopicPartition(KafkaConfig.EVENTS_TOPIC, p.partition()), OffsetSpec.latest()));
        Map<Integer, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        return ends;
    }

    /**
     * Waits up to 60 s for exactly {@code expected} rows; a timeout says where the loader was: rows, lag, its
     * metrics and its thread's stack.
     */
    private static void awaitRows(DuckDbWarehouse warehouse, LoaderService loader, PrometheusMeterRegistry registry,
                                  long expected) throws SQLException {
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> rows(warehouse) == expected);
        } catch (ConditionTimeoutException e) {
            StringBuilder state = new StringBuilder("expected " + expected + " rows, found " + rows(warehouse)
                    + "; loader running " + loader.running() + ", lag " + loader.lag() + "\n");
            registry.scrape().lines().filter(l -> l.startsWith("footfall_loader") && !l.contains("_bucket"))
                    .forEach(l -> state.append(l).append('\n'));
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                if (thread.getName().equals("footfall-loader")) {
                    for (StackTraceElement frame : stack) {
                        state.append("  at ").append(frame).append('\n');
                    }
                }
            });
            throw new AssertionError(state.toString(), e);
        }
    }

    private static long rows(DuckDbWarehouse warehouse) throws SQLException {
        try (Connection c = warehouse.readConnection()) {
            return LoaderFixtures.count(c, "SELECT count(*) FROM events");
        }
    }

}
