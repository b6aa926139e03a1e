package io.footfall.collector.http;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shutdown state shared by the server and its handlers: the draining flag, requests awaiting an ack, and
 * the open connections (so shutdown can wait for each to finish its current request instead of cutting it).
 */
public final class CollectorState {

    private volatile boolean draining;
    private final AtomicInteger inflightRequests = new AtomicInteger();
    private final ChannelGroup connections = new DefaultChannelGroup("footfall-collector", GlobalEventExecutor.INSTANCE);

    public boolean draining() {
        return draining;
    }

    /** From now on readiness is 503, new events are refused with 503, and every answer closes its connection. */
    public void startDraining() {
        draining = true;
    }

    /**
     * Connections idle between requests close after {@code grace} unless a request arrives first (it is
     * answered, then the connection closes). Closing them at once would race a client that is just
     * sending on a kept-alive connection: its request would be cut off unanswered.
     */
    public void closeIdleConnections(Duration grace) {
        for (Channel channel : connections) {
            channel.eventLoop().execute(() -> {
                ConnectionTimeouts timeouts = ConnectionTimeouts.of(channel);
                if (timeouts == null) {
                    channel.close();
                } else {
                    timeouts.closeIfStillIdleAfter(grace);
                }
            });
        }
    }

    void opened(Channel channel) {
        connections.add(channel);
    }

    /** Connections still open (each closes after answering its current request once draining). */
    public int openConnections() {
        return connections.size();
    }

    /** Closes whatever is still open when the drain deadline has passed. */
    public void closeAll() {
        connections.close().awaitUninterruptibly();
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
