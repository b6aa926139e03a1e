package io.footfall.collector.produce;

import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the brokers every second whether they answer ({@code describeCluster}, bounded by a timeout), on a daemon
 * thread of its own, and logs each change once ({@code event=broker_unreachable}, {@code event=broker_reachable}).
 * A client that retries on its own (the producer, Kafka Streams) says nothing while the brokers are away; readiness
 * reads {@link #reachable()} instead. The admin client is the caller's to close.
 */
public final class BrokerProbe implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerProbe.class);
    private static final long INTERVAL_MS = 1_000;

    private final Admin admin;
    private final int timeoutMs;
    private final Runnable onAnswer;
    private final String role;
    private final Thread thread;
    private volatile boolean reachable;
    private volatile boolean closed;

    /**
     * @param role     who probes, in the log lines and the thread's name ({@code collector}, {@code enricher})
     * @param onAnswer run after each answer, on the probe's thread (the collector keeps its producer's metadata warm)
     */
    public BrokerProbe(Admin admin, Duration timeout, String role, Runnable onAnswer) {
        this.admin = admin;
        this.timeoutMs = (int) timeout.toMillis();
        this.onAnswer = onAnswer;
        this.role = role;
        this.thread = new Thread(this::loop, "footfall-" + role + "-broker-probe");
        this.thread.setDaemon(true);
    }

    /** Starts probing, taking the brokers as reachable until the first probe says otherwise. */
    public void start() {
        reachable = true;
        thread.start();
    }

    /** Whether the brokers answered the last probe (true before the first, once started). */
    public boolean reachable() {
        return reachable && !closed;
    }

    private void loop() {
        while (!closed) {
            try {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs)).nodes().get();
                if (!reachable) {
                    LOG.info("event=broker_reachable role={}", role);
                }
                onAnswer.run();
                reachable = true;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (reachable && !closed) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    LOG.warn("event=broker_unreachable role={} reason=\"{}: {}\"", role, cause.getClass().getSimpleName(),
                            cause.getMessage());
                }
                reachable = false;
            }
            try {
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
