package io.footfall.collector.produce;

import io.footfall.core.event.BadEvent;
import io.footfall.core.event.RawEvent;
import java.util.List;

/**
 * Where the collector puts what it received: the durable stream. Asynchronous: {@link #publish} returns at
 * once and calls back exactly once, from a producer thread, when every record is acknowledged or any failed.
 */
public interface EventSink extends AutoCloseable {

    /** Result of one publish: every record acknowledged, or refused for a reason the client can act on. */
    enum Outcome {
        /** Every record is durably in the stream. */
        ACKNOWLEDGED,
        /** The in-flight budget is full: try again shortly. */
        OVERLOADED,
        /** The stream could not take the records (broker unreachable, timeout). */
        UNAVAILABLE
    }

    /**
     * @param events  accepted events, each with its event id and receipt facts set
     * @param bad     rejected events, recorded in {@code footfall.bad}
     * @param done    called once with the outcome, on a producer thread
     */
    void publish(List<RawEvent> events, List<BadEvent> bad, java.util.function.Consumer<Outcome> done);

    /** True while the stream answers and the in-flight budget has room. */
    boolean ready();

    /** Bytes handed to the stream and not yet acknowledged. */
    long inflightBytes();

    /** Waits (off any event loop) until everything published has been acknowledged or failed. */
    void flush();

    @Override
    void close();
}
