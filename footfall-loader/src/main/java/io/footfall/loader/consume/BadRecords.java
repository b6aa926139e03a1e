package io.footfall.loader.consume;

import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.BadEvent;
import io.footfall.core.json.BadEventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends the records the loader refuses to {@code footfall.bad}. They are acknowledged before the batch
 * that skipped them commits, so none is lost; a crash between the two sends them again (at least once).
 */
final class BadRecords implements AutoCloseable {

    private static final long SEND_TIMEOUT_MS = 10_000;

    private final KafkaProducer<byte[], byte[]> producer;

    BadRecords(KafkaConfig kafka) {
        Map<String, Object> p = new HashMap<>(kafka.clientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, SEND_TIMEOUT_MS);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT_MS);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.remove("group.instance.id");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends every record and waits for the broker's acknowledgements. */
    void sendAll(List<BadEvent> events) {
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        for (BadEvent e : events) {
            byte[] key = e.site() == null ? null : e.site().getBytes(StandardCharsets.UTF_8);
            acks.add(producer.send(new ProducerRecord<>(KafkaConfig.BAD_TOPIC, key, BadEventJson.encode(e))));
        }
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            throw new KafkaException("footfall.bad send failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("footfall.bad send not acknowledged within " + SEND_TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while sending to footfall.bad");
        }
    }

    /**
     * Sends every record without waiting for the acknowledgements (at most for the topic's metadata, as any send);
     * {@code failed} hears of each one that fails, on the producer's thread.
     */
    void sendWithoutWaiting(List<BadEvent> events, java.util.function.Consumer<Exception> failed) {
        for (BadEvent e : events) {
            byte[] key = e.site() == null ? null : e.site().getBytes(StandardCharsets.UTF_8);
            try {
                producer.send(new ProducerRecord<>(KafkaConfig.BAD_TOPIC, key, BadEventJson.encode(e)), (metadata, error) -> {
                    if (error != null) {
                        failed.accept(error);
                    }
                });
            } catch (KafkaException error) {
                failed.accept(error);
            }
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
