package io.footfall.enricher.topology;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.enricher.pipeline.EnricherResources;
import io.footfall.enricher.pipeline.EnrichmentPipeline;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Builds the enricher's topology: {@code footfall.raw} → enrich → {@code footfall.events} | {@code footfall.bad}. */
public final class EnricherTopology {

    /** Per visitor: the session and the event ids of the dedup window (VisitorRecord). */
    static final String SESSION_STORE = "sessions";
    static final String SALT_STORE = "salts";
    static final String SEEN_IDS_STORE = "seen-ids";
    /** Per partition of {@code footfall.raw}: the next offset the task expects (RawPositions). */
    static final String RAW_POSITIONS_STORE = "raw-positions";
    static final String EVENTS_SINK = "events-sink";
    static final String BAD_SINK = "bad-sink";

    /**
     * Deleted salts must leave the compacted changelog soon, not whenever the log cleaner gets to it: roll a
     * segment every hour and drop tombstones an hour after compaction.
     */
    private static final Map<String, String> SALT_CHANGELOG = Map.of(
            "segment.ms", "3600000", "delete.retention.ms", "3600000", "min.cleanable.dirty.ratio", "0.01");

    /**
     * Every event rewrites its visitor's record, so the sessions changelog grows by ~250 bytes an event while the
     * live state stays small; compaction only reaches closed segments, and with the broker's 1 GB segments a
     * partition held a GB of old versions before the first one closed (a 40-minute soak at 2,000 events/s: 1.2 GB
     * of changelog for 120 MB of state). Segments of 64 MB let the log cleaner keep it near the live state.
     */
    static final Map<String, String> SESSION_CHANGELOG = Map.of("segment.bytes", String.valueOf(64 * 1024 * 1024));

    private EnricherTopology() {
    }

    public static Topology buildTopology(EnricherConfig config, Clock clock) {
        return buildTopology(config, clock, EnricherResources.create(config));
    }

    /**
     * With resources shared by every task of the process (the UA cache, lists, GeoIP reader).
     *
     * <p>No store but the raw positions has the Streams record cache: a visitor's events are minutes apart, so it would save no
     * changelog writes, and its sorted map cost ~9% of a stream thread's CPU in the benchmark profile.
     * The salt of the day is remembered by the pipeline instead.
     */
    public static Topology buildTopology(EnricherConfig config, Clock clock, EnricherResources resources) {
        Topology topology = new Topology();
        topology.addSource("raw-source", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                KafkaConfig.RAW_TOPIC);
        topology.addProcessor("enrich", () -> new EnrichProcessor(new EnrichmentPipeline(config, clock, resources),
                clock, config.dedupEnabled(), config.dedupWindow(), resources.expiredRecords()), "raw-source");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSION_STORE),
                Serdes.String(), Serdes.ByteArray()).withLoggingEnabled(SESSION_CHANGELOG), "enrich");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SALT_STORE),
                Serdes.String(), Serdes.ByteArray()).withLoggingEnabled(SALT_CHANGELOG), "enrich");
        // Cached: a put per record, one changelog record per partition and commit.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RAW_POSITIONS_STORE),
                Serdes.Integer(), Serdes.Long()).withCachingEnabled(), "enrich");
        if (config.dedupEnabled()) {
            Duration window = config.dedupWindow();
            topology.addStateStore(Stores.windowStoreBuilder(
                    // Only the ids that overflow a visitor's record (Deduplicator); the rest live in SESSION_STORE.
                    // Retention two windows: ids are put at the start of their window-sized bucket (StreamsState).
                    Stores.persistentWindowStore(SEEN_IDS_STORE, window.multipliedBy(2), window, false),
                    Serdes.String(), Serdes.ByteArray()), "enrich");
        }
        topology.addSink(EVENTS_SINK, KafkaConfig.EVENTS_TOPIC, Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer(), "enrich");
        topology.addSink(BAD_SINK, KafkaConfig.BAD_TOPIC, Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer(), "enrich");
        return topology;
    }
}
