package io.footfall.enricher.topology;

import io.footfall.core.json.BadEventJson;
import io.footfall.core.json.StoredEventJson;
import io.footfall.core.event.VisitorKey;
import io.footfall.enricher.pipeline.EnrichmentPipeline;
import io.footfall.enricher.pipeline.Outcome;
import io.footfall.enricher.pipeline.PipelineState;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Hosts the {@link EnrichmentPipeline} in Kafka Streams: state in changelogged stores, output to the
 * events or bad sink. Anything that fails becomes a {@code footfall.bad} record; nothing stops the partition.
 */
final class EnrichProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private final EnrichmentPipeline pipeline;
    private ProcessorContext<byte[], byte[]> context;
    private PipelineState state;

    EnrichProcessor(EnrichmentPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        KeyValueStore<String, byte[]> sessions = context.getStateStore(EnricherTopology.SESSION_STORE);
        KeyValueStore<String, byte[]> salts = context.getStateStore(EnricherTopology.SALT_STORE);
        this.state = new StreamsState(sessions, salts);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Outcome outcome = pipeline.process(record.value(), state);
        if (outcome.stored() != null) {
            byte[] key = VisitorKey.of(outcome.stored().site(), outcome.stored().visitorId(), null, null);
            context.forward(new Record<>(key, StoredEventJson.encode(outcome.stored()), record.timestamp()),
                    EnricherTopology.EVENTS_SINK);
        } else if (outcome.bad() != null) {
            context.forward(new Record<>(record.key(), BadEventJson.encode(outcome.bad()), record.timestamp()),
                    EnricherTopology.BAD_SINK);
        }
    }

    /** The pipeline's state over Streams key-value stores. */
    private record StreamsState(KeyValueStore<String, byte[]> sessionStore, KeyValueStore<String, byte[]> saltStore)
            implements PipelineState {

        @Override
        public Store sessions() {
            return adapt(sessionStore);
        }

        @Override
        public Store salts() {
            return adapt(saltStore);
        }

        private static Store adapt(KeyValueStore<String, byte[]> store) {
            return new Store() {
                @Override
                public byte[] get(String key) {
                    return store.get(key);
                }

                @Override
                public void put(String key, byte[] value) {
                    store.put(key, value);
                }

                @Override
                public void delete(String key) {
                    store.delete(key);
                }
            };
        }
    }
}
