package io.footfall.enricher.pipeline;

import java.util.function.BiPredicate;

/**
 * The state the enrichment steps keep between events, as plain key-value maps. Kafka Streams hosts it in
 * changelogged state stores (exactly once with the output); {@code replay} hosts it in memory.
 */
public interface PipelineState {

    /**
     * The host's state failed (a store closed by a rebalance, a disk error): not the record's fault. The
     * pipeline never turns it into a bad record; the host rethrows its cause so the record is retried.
     */
    final class StateException extends RuntimeException {
        public StateException(RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
        }

        @Override
        public synchronized RuntimeException getCause() {
            return (RuntimeException) super.getCause();
        }
    }

    /** A byte-valued map; implementations decide durability. */
    interface Store {
        byte[] get(String key);

        void put(String key, byte[] value);

        void delete(String key);

        /**
         * Deletes every entry the predicate accepts; the expiry of sessions and salts. A full scan: hosts call
         * it from a timer, never per event.
         *
         * @return how many entries were deleted
         */
        default int deleteIf(BiPredicate<String, byte[]> expired) {
            throw new UnsupportedOperationException(getClass().getName() + " cannot expire entries");
        }
    }

    /**
     * Event ids seen recently. An id is remembered for at least the dedup window after the time it was
     * recorded at, and forgotten some time after that: the implementation owns expiry (Streams: a window
     * store whose old segments are dropped; in memory: a time-ordered queue).
     */
    interface SeenIds {
        /**
         * Whether {@code eventId} was recorded within {@code windowMs} before {@code timeMs} (implementations may
         * remember it for up to twice that, and may also find ids recorded slightly after {@code timeMs}).
         */
        boolean contains(String eventId, long timeMs, long windowMs);

        void add(String eventId, long timeMs);

        /** Records an id for a dedup window of {@code windowMs}; stores that bucket by window override this. */
        default void add(String eventId, long timeMs, long windowMs) {
            add(eventId, timeMs);
        }
    }

    /** Per visitor: the current session. */
    Store sessions();

    /** Per day of the salt zone: the secret salt of cookieless visitor ids. */
    Store salts();

    /** Event ids within the dedup window. */
    default SeenIds seenIds() {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no event ids; disable enricher.dedup");
    }
}
