package io.footfall.app.collector;

import io.footfall.core.event.BadEvent;
import io.footfall.core.event.RawEvent;
import io.footfall.core.json.BadEventJson;
import io.footfall.core.json.RawEventJson;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from the beginning, as a user's {@code footfall tap} would, until a condition holds. */
final class RawTopic {

    private RawTopic() {
    }

    static List<RawEvent> raw(String servers, Predicate<List<RawEvent>> enough, Duration timeout) {
        return read(servers, "footfall.raw", r -> RawEventJson.decode(r), enough, timeout);
    }

    static List<BadEvent> bad(String servers, Predicate<List<BadEvent>> enough, Duration timeout) {
        return read(servers, "footfall.bad", r -> BadEventJson.decode(r), enough, timeout);
    }

    interface Decoder<T> {
        T decode(byte[] value) throws IOException;
    }

    private static <T> List<T> read(String servers, String topic, Decoder<T> decoder, Predicate<List<T>> enough,
                                    Duration timeout) {
        List<T> out = new ArrayList<>();
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + System.nanoTime());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!enough.test(out) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        out.add(decoder.decode(record.value()));
                    } catch (IOException e) {
                        throw new AssertionError("undecodable record on " + topic, e);
                    }
                }
            }
        }
        return out;
    }
}
