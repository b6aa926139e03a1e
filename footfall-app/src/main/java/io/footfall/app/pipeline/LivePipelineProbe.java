package io.footfall.app.pipeline;

import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.query.pipeline.PipelineProbe;
import io.footfall.query.pipeline.PipelineStatus;
import io.footfall.query.pipeline.RecentBadEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The pipeline panel's numbers, from what this process, the broker and the warehouse already know:
 * <ul>
 *   <li>collector events/s: the {@code footfall.collector.events.accepted} counter when a collector runs in this
 *       process, else the growth of {@code footfall.raw} (one record per accepted event, from every collector);</li>
 *   <li>enricher events/s and lag: the enricher group's committed offsets on {@code footfall.raw} against its end;</li>
 *   <li>loader events/s: the {@code footfall.loader.rows.written} counter when the loader runs in this process,
 *       else the growth of the offsets stored in the warehouse; lag: {@code footfall.events}' end against those
 *       offsets, which the loader commits with its rows;</li>
 *   <li>freshness: the loader's receipt-to-commit timer (none without a loader here); bad events: the last
 *       records of {@code footfall.bad}.</li>
 * </ul>
 * Rates are the change since the previous look; a look is cached for a second so that many dashboards cost
 * one set of broker requests.
 */
public final class LivePipelineProbe implements PipelineProbe, AutoCloseable {

    private static final long CACHE_MS = 1_000;
    private static final long TIMEOUT_MS = 3_000;

    /** The roles whose own counters this process holds; the others are seen through Kafka and the warehouse. */
    public enum Local {
        COLLECTOR, LOADER
    }

    private final MeterRegistry registry;
    private final Set<Local> local;
    private final Warehouse warehouse;
    private final String enricherGroup;
    private final String loaderGroup;
    private final Admin admin;
    private final RecentBadEvents badEvents;
    private final Clock clock;
    private Sample previous;
    private final RecentMean freshnessMean = new RecentMean();
    private PipelineStatus cached;
    private long cachedAtMs;

    /** Cumulative counts at one moment; rates are differences of two samples. */
    private record Sample(long atMs, double collected, long enricherConsumed, Double loaded) {
    }

    public LivePipelineProbe(FootfallConfig config, MeterRegistry registry, Set<Local> local, Warehouse warehouse,
                             Clock clock) {
        this.registry = registry;
        this.local = Set.copyOf(local);
        this.warehouse = warehouse;
        this.enricherGroup = config.enricher().applicationId();
        this.loaderGroup = config.loader().groupId();
        this.clock = clock;
        Properties p = new Properties();
        p.putAll(config.kafka().clientProperties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "footfall-pipeline-probe");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT_MS));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT_MS));
        this.admin = Admin.create(p);
        this.badEvents = new RecentBadEvents(config.kafka());
    }

    @Override
    public synchronized PipelineStatus status() {
        long now = clock.millis();
        if (cached != null && now - cachedAtMs < CACHE_MS) {
            return cached;
        }
        try {
            Map<TopicPartition, Long> rawEnd = endOffsets(KafkaConfig.RAW_TOPIC);
            Map<TopicPartition, Long> eventsEnd = endOffsets(KafkaConfig.EVENTS_TOPIC);
            Map<TopicPartition, OffsetAndMetadata> enricherAt = admin.listConsumerGroupOffsets(enricherGroup)
                    .partitionsToOffsetAndMetadata().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long enricherConsumed = 0;
            long enricherLag = 0;
            for (Map.Entry<TopicPartition, Long> end : rawEnd.entrySet()) {
                OffsetAndMetadata at = enricherAt.get(end.getKey());
                long position = at == null ? 0 : at.offset();
                enricherConsumed += position;
                enricherLag += Math.max(0, end.getValue() - position);
            }
            Map<Integer, Long> stored = storedOffsets();
            Long loaderLag = stored == null ? null : loaderLag(eventsEnd, stored, admin.listConsumerGroupOffsets(loaderGroup)
                    .partitionsToOffsetAndMetadata().get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
            double collected = local.contains(Local.COLLECTOR) ? count("footfall.collector.events.accepted")
                    : rawEnd.values().stream().mapToLong(Long::longValue).sum();
            Double loaded = local.contains(Local.LOADER) ? Double.valueOf(count("footfall.loader.rows.written"))
                    : stored == null ? null : Double.valueOf(stored.values().stream().mapToLong(Long::longValue).sum());
            Sample sample = new Sample(now, collected, enricherConsumed, loaded);
            Sample before = previous;
            previous = sample;
            double seconds = before == null ? 0 : (sample.atMs - before.atMs) / 1000.0;
            List<PipelineStatus.Stage> stages = List.of(
                    new PipelineStatus.Stage("collector", rate(seconds, before == null ? 0 : sample.collected - before.collected), null),
                    new PipelineStatus.Stage("enricher", rate(seconds, before == null ? 0 : sample.enricherConsumed - before.enricherConsumed), enricherLag),
                    new PipelineStatus.Stage("loader", before == null || sample.loaded == null || before.loaded == null
                            ? null : rate(seconds, sample.loaded - before.loaded), loaderLag));
            Timer freshness = registry.find("footfall.loader.freshness").timer();
            boolean fresh = freshness != null && freshness.count() > 0;
            RecentBadEvents.Sample bad = badEvents.sample();
            Double recentMean = fresh ? freshnessMean.look(now, freshness.count(), freshness.totalTime(TimeUnit.MILLISECONDS)) : null;
            cached = new PipelineStatus(stages, recentMean,
                    fresh ? freshness.max(TimeUnit.MILLISECONDS) : null, bad.total(), bad.reasons());
            cachedAtMs = now;
            return cached;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the broker did not answer: " + e.getMessage());
        }
    }

    /** Before a second look there is no interval to divide by: the rate is unknown, not zero. */
    private static Double rate(double seconds, double delta) {
        return seconds <= 0 ? null : Math.max(0, delta) / seconds;
    }

    private double count(String counter) {
        double total = 0;
        for (Counter c : registry.find(counter).counters()) {
            total += c.count();
        }
        return total;
    }

    private Map<TopicPartition, Long> endOffsets(String topic) throws ExecutionException, InterruptedException, TimeoutException {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        description.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all()
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> out = new HashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /**
     * The loader's offsets of {@code footfall.events} per partition: they live in the warehouse, committed with its
     * rows, the exact position it will resume from. Null when the warehouse cannot be read.
     */
    private Map<Integer, Long> storedOffsets() {
        Map<Integer, Long> stored = new HashMap<>();
        try (Connection c = warehouse.keptReadConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT \"partition\", next_offset FROM footfall_offsets WHERE topic = ?")) {
            ps.setString(1, KafkaConfig.EVENTS_TOPIC);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getInt(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            return null;
        }
        return stored;
    }

    /** How far past the offset stored with the rows the loader's told position may be and still count: markers. */
    static final long MARKERS_PAST_STORED = 16;

    /**
     * {@code footfall.events}' end against the offsets stored with the rows. A transactional producer's commit
     * markers take offsets too but are never records, so a caught-up loader's stored offset sits a marker short of
     * the end for ever; the position the loader tells Kafka (for information, after each commit) has stepped over
     * them, and counts instead when it is at most a few markers past what is stored. Further past, it is not this
     * warehouse's (a schema dropped and loaded again, say), and the stored offset alone counts.
     */
    static long loaderLag(Map<TopicPartition, Long> eventsEnd, Map<Integer, Long> stored, Map<TopicPartition, OffsetAndMetadata> told) {
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> end : eventsEnd.entrySet()) {
            long at = stored.getOrDefault(end.getKey().partition(), 0L);
            OffsetAndMetadata position = told.get(end.getKey());
            if (position != null && position.offset() > at && position.offset() - at <= MARKERS_PAST_STORED) {
                at = position.offset();
            }
            lag += Math.max(0, end.getValue() - at);
        }
        return lag;
    }

    @Override
    public void close() {
        admin.close();
        badEvents.close();
    }
}
