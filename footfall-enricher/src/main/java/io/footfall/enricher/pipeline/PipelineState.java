package io.footfall.enricher.pipeline;

/**
 * The state the enrichment steps keep between events, as plain key-value maps. Kafka Streams hosts it in
 * changelogged state stores (exactly once with the output); {@code replay} hosts it in memory.
 */
public interface PipelineState {

    /** A byte-valued map; implementations decide durability and expiry. */
    interface Store {
        byte[] get(String key);

        void put(String key, byte[] value);

        void delete(String key);
    }

    /** Per visitor: the current session. */
    Store sessions();

    /** Per UTC day: the secret salt of cookieless visitor ids. */
    Store salts();
}
