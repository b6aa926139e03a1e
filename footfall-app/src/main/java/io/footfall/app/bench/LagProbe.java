package io.footfall.app.bench;

import io.footfall.core.config.KafkaConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer lag per pipeline stage: end offsets of a stage's input topic minus its group's committed
 * offsets (the enricher commits with its transactions; the loader commits after each warehouse commit,
 * for information).
 */
public final class LagProbe implements AutoCloseable {

    /** Stage name → (consumer group, input topic). */
    static final Map<String, String[]> STAGES = new LinkedHashMap<>(Map.of(
            "enricher", new String[]{"footfall-enricher", KafkaConfig.RAW_TOPIC},
            "loader", new String[]{"footfall-loader", KafkaConfig.EVENTS_TOPIC}));

    private final Admin admin;

    public LagProbe(String bootstrapServers) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        this.admin = Admin.create(props);
    }

    /** Lag of each stage in records, or -1 when it cannot be read right now. */
    public Map<String, Long> lag() {
        Map<String, Long> out = new LinkedHashMap<>();
        STAGES.forEach((stage, groupAndTopic) -> out.put(stage, lag(groupAndTopic[0], groupAndTopic[1])));
        return out;
    }

    private long lag(String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = groupOffsets(group);
            long lag = 0;
            for (Map.Entry<TopicPartition, Long> end : endOffsets(topic).entrySet()) {
                OffsetAndMetadata done = committed.get(end.getKey());
                lag += Math.max(0, end.getValue() - (done == null ? 0 : done.offset()));
            }
            return lag;
        } catch (Exception e) {
            return -1;
        }
    }

    /** Sum over partitions of the stage's input topic's end offsets, or -1 when they cannot be read right now. */
    public long inputEnd(String stage) {
        try {
            return endOffsets(STAGES.get(stage)[1]).values().stream().mapToLong(Long::longValue).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Sum over partitions of the stage's committed offsets, or -1 when they cannot be read right now. */
    public long committed(String stage) {
        try {
            return groupOffsets(STAGES.get(stage)[0]).values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> groupOffsets(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
    }

    private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        int partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS)
                .get(topic).partitions().size();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(request).all().get(5, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
