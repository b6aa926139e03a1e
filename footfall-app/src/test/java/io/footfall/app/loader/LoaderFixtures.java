package io.footfall.app.loader;

import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.json.StoredEventJson;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.SessionRollup;
import io.footfall.loader.warehouse.PostgresWarehouse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Stored events, the topics they travel on, and PostgreSQL schemas for the loader's integration tests. */
public final class LoaderFixtures {

    public static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    private LoaderFixtures() {
    }

    /** A stored event with every column set; the id is derived from {@code seed}. */
    public static StoredEvent event(int seed) {
        return new StoredEvent(new UUID(0xF00DL, seed).toString(), "loader.test", "pageview", null,
                1_700_000_000_000L + seed, null, "https://loader.test/p/" + (seed % 50), "loader.test",
                "/p/" + (seed % 50), null, "Title " + seed + "\twith tab", "https://www.google.com/", "www.google.com",
                "search", null, null, null, null, null, "visitor-" + (seed % 997), "session-" + (seed % 997), 1,
                true, "Firefox", "121", "Linux", null, "desktop", false, null, null, null, "1920x1080", "en-GB",
                "Europe/London", "{\"n\":" + seed + "}", "test", "Google");
    }

    /** Sends values to footfall.events (keys by visitor, like the enricher) and waits for every ack. */
    public static void produce(String bootstrap, List<byte[]> values) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(values.size());
            int i = 0;
            for (byte[] value : values) {
                acks.add(producer.send(new ProducerRecord<>(KafkaConfig.EVENTS_TOPIC,
                        ("k" + (i++ % 997)).getBytes(StandardCharsets.UTF_8), value)));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a record was not acknowledged: " + e.getCause(), e.getCause());
        }
    }

    /** {@code count} events whose ids repeat every {@code distinct} events (duplicates as at-least-once upstream makes them). */
    public static List<byte[]> eventsWithRepeats(int count, int distinct) {
        List<byte[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(StoredEventJson.encode(event(i % distinct)));
        }
        return values;
    }

    /** Every record of a topic from the beginning, read without a group. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, int expected, long timeoutMs) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(java.time.Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** Creates a fresh, empty schema and returns its name. */
    public static String freshSchema(String prefix) throws SQLException {
        String schema = prefix + "_" + Long.toHexString(System.nanoTime());
        try (Connection c = postgres(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            st.execute("CREATE SCHEMA " + schema);
        }
        return schema;
    }

    public static void dropSchema(String schema) throws SQLException {
        try (Connection c = postgres(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    public static Connection postgres() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        return DriverManager.getConnection(PG_URL, props);
    }

    public static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every row of a query, its columns joined with {@code |}; timestamps as instants, so both dialects compare. */
    public static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.append(i == 1 ? "" : "|").append(v instanceof java.sql.Timestamp t ? t.toInstant()
                            : v instanceof java.time.OffsetDateTime t ? t.toInstant() : v);
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    /** A check on a PostgreSQL warehouse. */
    public interface PostgresCheck {
        void check(PostgresWarehouse w) throws Exception;
    }

    /** Runs {@code check} on a PostgreSQL warehouse in a fresh schema named after {@code prefix}, dropped afterwards. */
    public static void onFreshPostgres(String prefix, PostgresCheck check) throws Exception {
        String schema = freshSchema(prefix);
        try (PostgresWarehouse w = PostgresWarehouse.open(PostgresWarehouseIT.config(schema))) {
            check.check(w);
        } finally {
            dropSchema(schema);
        }
    }

    /** Rebuilds the sessions rollup from the stored events by SQL, as {@code promote} does. */
    public static void rebuildRollup(Connection c, Dialect dialect) throws SQLException {
        SessionRollup.rebuild(c, dialect);
    }
}
