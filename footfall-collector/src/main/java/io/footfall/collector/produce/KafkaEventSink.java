package io.footfall.collector.produce;

import io.footfall.core.config.CollectorConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.VisitorKey;
import io.footfall.core.json.BadEventJson;
import io.footfall.core.json.RawEventJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka side of the collector: one long-lived idempotent producer ({@code acks=all}) and a broker
 * health probe.
 *
 * <p>{@code max.block.ms=0}: {@code send} never waits for metadata or buffer space on the caller's (event
 * loop) thread. Metadata is fetched once at start; afterwards an unknown partition or a full buffer is an
 * immediate error, answered 503. The buffer is sized above the in-flight budget so that only the budget
 * ever refuses.
 */
public final class KafkaEventSink implements EventSink {

    /** Per-record overhead counted against the budget beyond the value bytes (key, headers, batch framing). */
    private static final int RECORD_OVERHEAD = 64;

    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin admin;
    private final InflightBudget budget;
    private final String servers;
    private final Duration probeTimeout = Duration.ofSeconds(2);
    private final BrokerProbe probe;
    private volatile boolean closed;

    public KafkaEventSink(KafkaConfig kafka, CollectorConfig collector) {
        this.budget = new InflightBudget(collector.maxInflightBytes());
        this.servers = kafka.bootstrapServers();
        this.producer = new KafkaProducer<>(producerProperties(kafka, collector),
                new ByteArraySerializer(), new ByteArraySerializer());
        Map<String, Object> adminProps = new HashMap<>(kafka.clientProperties());
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) probeTimeout.toMillis());
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) probeTimeout.toMillis());
        this.admin = Admin.create(adminProps);
        this.probe = new BrokerProbe(admin, probeTimeout, "collector", this::keepMetadata);
    }

    static Map<String, Object> producerProperties(KafkaConfig kafka, CollectorConfig collector) {
        Map<String, Object> p = new HashMap<>(kafka.clientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "footfall-collector");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, (int) collector.lingerTime().toMillis());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, collector.maxInflightBytes() * 2);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        int delivery = (int) collector.deliveryTimeout().toMillis();
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(delivery, 10_000));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(delivery, Math.min(delivery, 10_000) + 5));
        return p;
    }

    /**
     * Blocks until the broker answers and the raw topic's metadata is known, or the timeout passes.
     * Call once at start, before the HTTP port opens.
     *
     * @throws IllegalStateException naming the unreachable servers
     */
    public void start(String rawTopic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) probeTimeout.toMillis()))
                        .nodes().get();
                warmMetadata(rawTopic);
                warmMetadata(KafkaConfig.BAD_TOPIC);
                probe.start();
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while connecting to Kafka");
            } catch (Exception e) {
                last = e instanceof RuntimeException r ? r : new RuntimeException(e);
            }
        }
        throw new IllegalStateException("Kafka at " + servers + " is unreachable or has no topic "
                + rawTopic + (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    private void warmMetadata(String topic) {
        // partitionsFor waits up to max.block.ms (0 here) so poll it until metadata arrives.
        long until = System.nanoTime() + probeTimeout.toNanos();
        while (true) {
            try {
                if (!producer.partitionsFor(topic).isEmpty()) {
                    return;
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (System.nanoTime() > until) {
                    throw e;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    /**
     * Marks both topics as in use in the producer's metadata. The producer forgets a topic's metadata after
     * {@code metadata.max.idle.ms} (5 min) without a send, and a send with {@code max.block.ms = 0} cannot
     * wait for it to come back: after a quiet spell the first request would get a 503. {@code partitionsFor}
     * counts as use; when the metadata is missing it asks for it and throws at once.
     */
    private void keepMetadata() {
        for (String topic : new String[]{KafkaConfig.RAW_TOPIC, KafkaConfig.BAD_TOPIC}) {
            try {
                producer.partitionsFor(topic);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // requested; here by the next probe
            }
        }
    }

    @Override
    public void publish(List<RawEvent> events, List<BadEvent> bad, Consumer<Outcome> done) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events.size() + bad.size());
        long bytes = 0;
        for (RawEvent event : events) {
            byte[] value = RawEventJson.encode(event);
            bytes += value.length + RECORD_OVERHEAD;
            records.add(new ProducerRecord<>(KafkaConfig.RAW_TOPIC, VisitorKey.of(event), value));
        }
        for (BadEvent event : bad) {
            byte[] value = BadEventJson.encode(event);
            bytes += value.length + RECORD_OVERHEAD;
            records.add(new ProducerRecord<>(KafkaConfig.BAD_TOPIC, null, value));
        }
        if (records.isEmpty()) {
            done.accept(Outcome.ACKNOWLEDGED);
            return;
        }
        if (!probe.reachable() || closed) {
            done.accept(Outcome.UNAVAILABLE);
            return;
        }
        if (!budget.tryReserve(bytes)) {
            done.accept(Outcome.OVERLOADED);
            return;
        }
        new Publication(records.size(), bytes, done).sendAll(records);
    }

    /** Tracks the acknowledgements of one request's records and answers once. */
    private final class Publication {
        private final AtomicInteger pending;
        private final AtomicBoolean failed = new AtomicBoolean();
        private final long bytes;
        private final Consumer<Outcome> done;

        Publication(int count, long bytes, Consumer<Outcome> done) {
            this.pending = new AtomicInteger(count);
            this.bytes = bytes;
            this.done = done;
        }

        void sendAll(List<ProducerRecord<byte[], byte[]>> records) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                try {
                    producer.send(record, (metadata, error) -> complete(error != null));
                } catch (RuntimeException e) {
                    // max.block.ms=0: metadata missing or buffer full surface here, immediately
                    complete(true);
                }
            }
        }

        private void complete(boolean error) {
            if (error) {
                failed.set(true);
            }
            if (pending.decrementAndGet() == 0) {
                budget.release(bytes);
                done.accept(failed.get() ? Outcome.UNAVAILABLE : Outcome.ACKNOWLEDGED);
            }
        }
    }

    @Override
    public boolean ready() {
        return probe.reachable() && !closed && !budget.nearlyFull();
    }

    public boolean brokerReachable() {
        return probe.reachable();
    }

    @Override
    public long inflightBytes() {
        return budget.used();
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        closed = true;
        probe.close();
        producer.close(Duration.ofSeconds(30));
        admin.close(Duration.ofSeconds(5));
    }
}
