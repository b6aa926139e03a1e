package io.footfall.enricher.topology;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.enricher.pipeline.EnrichmentPipeline;
import java.time.Clock;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Builds the enricher's topology: {@code footfall.raw} → enrich → {@code footfall.events} | {@code footfall.bad}. */
public final class EnricherTopology {

    static final String SESSION_STORE = "sessions";
    static final String SALT_STORE = "salts";
    static final String EVENTS_SINK = "events-sink";
    static final String BAD_SINK = "bad-sink";

    private EnricherTopology() {
    }

    public static Topology buildTopology(EnricherConfig config, Clock clock) {
        Topology topology = new Topology();
        topology.addSource("raw-source", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                KafkaConfig.RAW_TOPIC);
        topology.addProcessor("enrich", () -> new EnrichProcessor(new EnrichmentPipeline(config, clock)), "raw-source");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSION_STORE),
                Serdes.String(), Serdes.ByteArray()), "enrich");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SALT_STORE),
                Serdes.String(), Serdes.ByteArray()), "enrich");
        topology.addSink(EVENTS_SINK, KafkaConfig.EVENTS_TOPIC, Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer(), "enrich");
        topology.addSink(BAD_SINK, KafkaConfig.BAD_TOPIC, Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer(), "enrich");
        return topology;
    }
}
