package io.footfall.collector.http;

import java.util.concurrent.atomic.AtomicInteger;

/** Shutdown state shared by the server and its handlers: draining flag and requests awaiting an ack. */
public final class CollectorState {

    private volatile boolean draining;
    private final AtomicInteger inflightRequests = new AtomicInteger();

    public boolean draining() {
        return draining;
    }

    public void startDraining() {
        draining = true;
    }

    void requestStarted() {
        inflightRequests.incrementAndGet();
    }

    void requestFinished() {
        inflightRequests.decrementAndGet();
    }

    public int inflightRequests() {
        return inflightRequests.get();
    }
}
