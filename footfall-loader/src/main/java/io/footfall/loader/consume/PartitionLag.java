package io.footfall.loader.consume;

import io.footfall.loader.warehouse.OffsetCommit;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader's lag per partition as a gauge (one per partition, whichever of the process's loaders owns it):
 * log end offset − offset committed in the warehouse (not the consumer's position, which runs ahead of what is
 * stored). Refreshed at most once a second with one ListOffsets request, also while the partitions are paused
 * during a warehouse outage, and for a partition assigned during one, whose stored offset cannot be read yet.
 * A partition the group takes away loses its gauge: another loader process reports it from then on, and a
 * figure left here would stay at the lag of that moment, counted twice in a sum over the loaders.
 */
final class PartitionLag {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionLag.class);
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final String METER = "footfall.loader.lag";
    private static final String PARTITION_TAG = "partition";

    private final MeterRegistry registry;
    /** Shared by the loaders of one process, each of which refreshes the partitions it owns. */
    private final Map<Integer, AtomicLong> lagByPartition;
    private long refreshedAtNanos;

    PartitionLag(MeterRegistry registry) {
        this(registry, new ConcurrentHashMap<>());
    }

    private PartitionLag(MeterRegistry registry, Map<Integer, AtomicLong> lagByPartition) {
        this.registry = registry;
        this.lagByPartition = lagByPartition;
    }

    /** Another loader's view of the same gauges: its own refresh clock, the same figure per partition. */
    PartitionLag sibling() {
        return new PartitionLag(registry, lagByPartition);
    }

    /**
     * Called from the consumer thread after each poll. {@code drained}: the partitions whose every record
     * read so far is stored (none in the open batch, position from the warehouse): for those the consumer's
     * position counts instead of the stored offset when it is further, so that the commit markers of a
     * transactional producer (the enricher's), which take an offset each but are never records, do not show
     * as one record of lag per partition for ever.
     */
    void refresh(Consumer<?, ?> consumer, Map<TopicPartition, Long> committed, Set<TopicPartition> drained, long nowNanos) {
        if (nowNanos - refreshedAtNanos < REFRESH_NANOS) {
            return;
        }
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return; // not yet: the first figures come with the first assignment
        }
        refreshedAtNanos = nowNanos;
        try {
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(assigned, Duration.ofMillis(500)));
            Set<TopicPartition> unread = new HashSet<>(ends.keySet());
            unread.removeAll(committed.keySet());
            Map<TopicPartition, OffsetAndMetadata> told = Map.of();
            Map<TopicPartition, Long> starts = Map.of();
            if (!unread.isEmpty()) {
                try {
                    Map<TopicPartition, OffsetAndMetadata> committedInKafka =
                            consumer.committed(unread, Duration.ofMillis(500));
                    told = committedInKafka;
                    Set<TopicPartition> untold = new HashSet<>(unread);
                    untold.removeIf(tp -> committedInKafka.get(tp) != null); // a partition never told maps to null
                    if (!untold.isEmpty()) {
                        starts = consumer.beginningOffsets(untold, Duration.ofMillis(500));
                    }
                } catch (KafkaException e) {
                    // those partitions keep their last figure; the others are refreshed below all the same
                    unread.forEach(ends::remove);
                }
            }
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                Long stored = committed.get(end.getKey());
                long base;
                if (stored != null) {
                    base = stored == OffsetCommit.NONE ? 0 : stored;
                    if (drained.contains(end.getKey())) {
                        base = Math.max(base, consumer.position(end.getKey(), Duration.ZERO));
                    }
                } else {
                    // Stored offset not read yet (assigned while the warehouse is down): the group's offset in
                    // Kafka, told after each commit, is at most the stored one, so the lag shown is never less
                    // than the real one; with no offset there either, the whole partition (what retention kept).
                    OffsetAndMetadata offset = told.get(end.getKey());
                    base = offset != null ? offset.offset() : starts.getOrDefault(end.getKey(), 0L);
                }
                gauge(end.getKey().partition()).set(Math.max(0, end.getValue() - base));
            }
        } catch (KafkaException e) {
            LOG.debug("event=lag_refresh_failed error=\"{}\"", e.toString());
        }
    }

    /**
     * Drops the gauges of partitions the group took from this loader (called from the rebalance listener, on the
     * consumer thread, before the group gives them to anyone else: a sibling that gets one makes it anew).
     */
    void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            if (lagByPartition.remove(tp.partition()) != null) {
                Gauge gauge = registry.find(METER).tag(PARTITION_TAG, Integer.toString(tp.partition())).gauge();
                if (gauge != null) {
                    registry.remove(gauge);
                }
            }
        }
    }

    private AtomicLong gauge(int partition) {
        return lagByPartition.computeIfAbsent(partition, p -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(METER, value, AtomicLong::get)
                    .description("records of footfall.events not yet committed in the warehouse")
                    .tag(PARTITION_TAG, Integer.toString(p)).baseUnit("records").register(registry);
            return value;
        });
    }

    Map<Integer, Long> snapshot() {
        Map<Integer, Long> copy = new HashMap<>();
        lagByPartition.forEach((p, v) -> copy.put(p, v.get()));
        return copy;
    }
}
