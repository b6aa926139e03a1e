package io.footfall.app.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.EventType;
import io.footfall.core.event.RawEvent;
import io.footfall.core.json.RawEventJson;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention deletes the oldest records of {@code footfall.raw} while a replay is under way: the replay goes on
 * from the oldest record left and counts what it lost, instead of jumping to the partition's end (Kafka's
 * default reset) and calling the partition done.
 */
class RawReplayRetentionIT {

    @TempDir
    Path dir;

    @Test
    void recordsDeletedUnderTheReplayAreCountedAndTheRestIsReplayed() throws Exception {
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 1)) {
            Map<String, Object> p = new HashMap<>();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 100; i++) {
                    RawEvent e = new RawEvent(UUID.randomUUID().toString(), "retention.test", EventType.PAGEVIEW, null,
                            "https://retention.test/" + i, null, null, null, null, null, null, null, null,
                            1_790_000_000_000L + i * 1_000L, "192.0.2.1", "Mozilla/5.0");
                    producer.send(new ProducerRecord<>(KafkaConfig.RAW_TOPIC, 0, null, RawEventJson.encode(e)));
                }
                producer.flush();
            }
            FootfallConfig config = broker.config(dir, Map.of());
            Map<String, Object> a = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            ReplayProgress deletingAtStart = new ReplayProgress(new PrintStream(new ByteArrayOutputStream(), true,
                    StandardCharsets.UTF_8), System::nanoTime) {
                @Override
                void start(long totalRecords) {
                    super.start(totalRecords);
                    // The range is fixed (offsets 0 to 100, seeked to 0); now retention takes the first 30.
                    try (Admin admin = Admin.create(a)) {
                        admin.deleteRecords(Map.of(new TopicPartition(KafkaConfig.RAW_TOPIC, 0), RecordsToDelete.beforeOffset(30)))
                                .all().get();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            try (DuckDbWarehouse w = DuckDbWarehouse.open(dir.resolve("w.duckdb"))) {
                w.migrate();
                RawReplay.Result result = new RawReplay(config.kafka(), config.enricher(), w, Clock.systemUTC(), deletingAtStart)
                        .run("events_r", null, null);
                assertEquals(new RawReplay.Result(70, 70, 0, 0, 30), result);
                try (Connection c = w.readConnection(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*), min(path) FROM events_r WHERE path = '/30'")) {
                    rs.next();
                    assertEquals(1, rs.getLong(1), "the replay went on from the oldest record left");
                }
            }
        }
    }
}
