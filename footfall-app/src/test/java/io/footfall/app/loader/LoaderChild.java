package io.footfall.app.loader;

import io.footfall.app.testing.ForwardingWarehouseWriter;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.json.StoredEventJson;
import io.footfall.loader.consume.Loaders;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.footfall.loader.warehouse.OffsetCommit;
import io.footfall.loader.warehouse.PostgresWarehouse;
import io.footfall.loader.warehouse.WarehouseWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The loader in its own JVM, for the kill -9 tests. Prints {@code @@writing} on stdout just before each
 * batch write and {@code @@committed N} after it (N = records consumed and committed so far), so the parent
 * can kill it at chosen moments. Between the two markers the writer waits {@value #WINDOW_MS} ms: a batch
 * is then consumed but not stored, the moment that exactly-once has to survive.
 *
 * <p>Arguments: {@code mode bootstrap warehouse target}; mode {@code warehouse} runs the product's {@link Loaders}
 * (offsets in the warehouse transaction; two writers on PostgreSQL, one on DuckDB); mode {@code kafka-offsets} is the negative control: the same
 * writer, but the consumed offsets are committed to Kafka when the batch is consumed, before it is stored.
 */
public final class LoaderChild {

    static final int BATCH_EVENTS = 2_000;
    static final long WINDOW_MS = 50;

    private LoaderChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String bootstrap = args[1];
        String warehouse = args[2];
        String target = args[3];
        Map<String, String> settings = new HashMap<>(Map.of("kafka.bootstrapServers", bootstrap,
                "loader.batchEvents", Integer.toString(BATCH_EVENTS), "loader.batchDelay", "200ms",
                "loader.groupId", "eo-" + mode,
                // Static membership: a restarted child takes over the killed one's partitions at once.
                "kafka.client.group.instance.id", "eo-child"));
        if (warehouse.equals("postgres")) {
            settings.putAll(Map.of("loader.warehouse", "postgres", "loader.jdbcUrl", LoaderFixtures.PG_URL,
                    "loader.user", "postgres", "loader.schema", target));
        } else {
            settings.put("loader.duckdbPath", target);
        }
        FootfallConfig config = TestBroker.baseConfig(Path.of(System.getProperty("java.io.tmpdir")), settings);
        WarehouseWriter writer = warehouse.equals("postgres") ? PostgresWarehouse.open(config.loader())
                : DuckDbWarehouse.open(config.loader().duckdbPath());
        Announcing announcing = new Announcing(writer);
        if (mode.equals("warehouse")) {
            new Loaders(config.kafka(), config.loader(), announcing, new SimpleMeterRegistry()).start();
            Thread.currentThread().join();
        } else {
            writer.migrate();
            kafkaOffsetsLoop(config, announcing);
        }
    }

    /** The negative control: offsets committed to Kafka as soon as a batch is consumed. */
    private static void kafkaOffsetsLoop(FootfallConfig config, Announcing writer) throws Exception {
        Map<String, Object> p = new HashMap<>(config.kafka().clientProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.loader().groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, BATCH_EVENTS);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(KafkaConfig.EVENTS_TOPIC));
            while (true) {
                List<StoredEvent> events = new ArrayList<>();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    events.add(StoredEventJson.decode(r.value()));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                if (events.isEmpty()) {
                    continue;
                }
                consumer.commitSync(offsets);
                writer.announceAndWait();
                writer.append(WarehouseWriter.LIVE_TABLE, events);
                long positions = 0;
                for (TopicPartition tp : consumer.assignment()) {
                    positions += consumer.position(tp);
                }
                committed(positions);
            }
        }
    }

    static synchronized void marker(String line) {
        System.out.println("@@" + line);
        System.out.flush();
    }

    static void committed(long records) {
        marker("committed " + records);
    }

    /** Announces each write on stdout and holds the batch for the window before writing it. */
    static final class Announcing extends ForwardingWarehouseWriter {

        Announcing(WarehouseWriter delegate) {
            super(delegate);
        }

        void announceAndWait() throws InterruptedException {
            marker("writing");
            Thread.sleep(WINDOW_MS);
        }

        @Override
        public long write(List<StoredEvent> events, String topic, List<OffsetCommit> offsets) throws SQLException {
            try {
                announceAndWait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted");
            }
            long inserted = delegate.write(events, topic, offsets);
            committed(delegate.storedOffsets(topic).values().stream().mapToLong(Long::longValue).sum());
            return inserted;
        }
    }
}
