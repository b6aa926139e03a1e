package io.footfall.app.broker;

import io.footfall.app.standalone.StartStopped;
import io.footfall.core.config.KafkaConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/** Creates footfall's topics when they are missing; existing topics are left as they are. */
public final class Topics {

    /** How long Kafka may take to answer before the start says it is waiting. */
    private static final long FIRST_WAIT_MS = 5_000;
    private static final long STOP_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private Topics() {
    }

    /**
     * @return the partitions of {@code footfall.raw} as they are (a topic created earlier keeps its count, whatever
     *         {@code kafka.partitions} says now)
     * @throws IllegalStateException with a one-line reason when the cluster cannot be reached in time
     */
    public static int ensure(KafkaConfig kafka, Duration timeout) {
        return ensure(kafka, timeout, () -> false);
    }

    /**
     * As {@link #ensure(KafkaConfig, Duration)}, giving up with {@link StartStopped} as soon as {@code stop} says
     * so (SIGTERM or Ctrl-C while a command starts), not at the end of the wait for an unreachable cluster.
     */
    public static int ensure(KafkaConfig kafka, Duration timeout, BooleanSupplier stop) {
        checkPort(kafka);
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 10_000));
        Admin created;
        try {
            created = Admin.create(props);
        } catch (org.apache.kafka.common.KafkaException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            // Most often the servers' addresses; another kafka.client.* setting can be the cause too.
            throw new IllegalStateException("Kafka client cannot be created for " + kafka.bootstrapServers() + ": "
                    + cause.getMessage());
        }
        Admin admin = created;
        try {
            KafkaFuture<Set<String>> names = admin.listTopics().names();
            long firstMs = Math.min(FIRST_WAIT_MS, timeout.toMillis());
            Set<String> existing;
            try {
                existing = await(names, firstMs, stop);
            } catch (java.util.concurrent.TimeoutException slow) {
                // Say what is awaited, and for how long, rather than sit silent for the whole start timeout.
                System.out.println("footfall: waiting for Kafka at " + kafka.bootstrapServers() + " (kafka.bootstrapServers), up to "
                        + timeout.toSeconds() + " s (kafka.startTimeout)");
                existing = await(names, timeout.toMillis() - firstMs, stop);
            }
            List<NewTopic> missing = new ArrayList<>();
            for (String name : List.of(KafkaConfig.RAW_TOPIC, KafkaConfig.EVENTS_TOPIC, KafkaConfig.BAD_TOPIC)) {
                if (!existing.contains(name)) {
                    missing.add(newTopic(name, kafka));
                }
            }
            if (!missing.isEmpty()) {
                await(admin.createTopics(missing).all(), timeout.toMillis(), stop);
            }
            if (!existing.contains(KafkaConfig.RAW_TOPIC)) {
                // Just created: a new topic may not be described yet (the metadata spreads after the create).
                return kafka.partitions();
            }
            int partitions = await(admin.describeTopics(List.of(KafkaConfig.RAW_TOPIC)).allTopicNames(), timeout.toMillis(), stop)
                    .get(KafkaConfig.RAW_TOPIC).partitions().size();
            if (kafka.partitionsGiven() && partitions != kafka.partitions()) {
                System.out.println(partitionsNote(partitions, kafka.partitions()));
            }
            if (kafka.rawRetentionGiven()) {
                Duration kept = rawRetention(admin, timeout, stop);
                if (kept != null && !kept.equals(kafka.rawRetention())) {
                    System.out.println(rawRetentionNote(kept, kafka.rawRetention()));
                }
            }
            return partitions;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(kafka, timeout);
            }
            throw new IllegalStateException("Kafka topics cannot be created at " + kafka.bootstrapServers() + ": "
                    + e.getCause().getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            throw unreachable(kafka, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics");
        } finally {
            // Stopped mid-wait: the requests still pending are dropped, not awaited to their timeout.
            admin.close(stop.getAsBoolean() ? Duration.ZERO : Duration.ofSeconds(5));
        }
    }

    /**
     * {@link KafkaPortCheck} on the configured servers: before any Kafka client of a role is made (the enricher's
     * Kafka Streams makes its admin client, which connects, when it is built).
     */
    public static void checkPort(KafkaConfig kafka) {
        Object protocol = kafka.clientProperties().get(AdminClientConfig.SECURITY_PROTOCOL_CONFIG);
        KafkaPortCheck.check(kafka.bootstrapServers(), protocol == null ? null : protocol.toString());
    }

    /** Waits for {@code future} up to {@code timeoutMs}, looking at {@code stop} every tenth of a second. */
    private static <T> T await(KafkaFuture<T> future, long timeoutMs, BooleanSupplier stop)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            StartStopped.check(stop);
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new java.util.concurrent.TimeoutException();
            }
            try {
                return future.get(Math.min(left, STOP_POLL_NANOS), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException notYet) {
                // look at stop again
            }
        }
    }

    /**
     * Says that a changed {@code kafka.partitions} does not reach topics that exist: their count is kept, since
     * adding partitions would send a visitor's later events to another partition than its session's state.
     */
    static String partitionsNote(int actual, int configured) {
        return "footfall: " + KafkaConfig.RAW_TOPIC + " exists with " + actual + " partitions; kafka.partitions (" + configured
                + ") applies only to topics footfall creates, so " + actual + " it stays (docs/deploy.md, \"Kafka\")";
    }

    /**
     * The retention {@code footfall.raw} has, or null when the cluster does not say (a principal without the
     * right to describe topic configs, say: the note it serves is not worth a failed start). A negative
     * {@code retention.ms} (no time limit) is {@link Duration#ZERO}.
     */
    private static Duration rawRetention(Admin admin, Duration timeout, BooleanSupplier stop) throws InterruptedException {
        ConfigResource raw = new ConfigResource(ConfigResource.Type.TOPIC, KafkaConfig.RAW_TOPIC);
        try {
            ConfigEntry entry = await(admin.describeConfigs(List.of(raw)).all(), timeout.toMillis(), stop).get(raw)
                    .get(TopicConfig.RETENTION_MS_CONFIG);
            if (entry == null || entry.value() == null) {
                return null;
            }
            long ms = Long.parseLong(entry.value());
            return ms < 0 ? Duration.ZERO : Duration.ofMillis(ms);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * Says that a {@code kafka.rawRetention} other than the topic's does not reach it: how far back a replay can go,
     * and how long raw events stay (a privacy rule may count on it), are the topic's.
     */
    static String rawRetentionNote(Duration actual, Duration configured) {
        return "footfall: " + KafkaConfig.RAW_TOPIC + " exists with a retention of " + hours(actual) + "; kafka.rawRetention ("
                + hours(configured) + ") applies only to topics footfall creates, so it keeps events for " + hours(actual)
                + " (change it with Kafka's kafka-configs.sh: retention.ms; docs/deploy.md, \"Kafka\")";
    }

    private static String hours(Duration retention) {
        return retention.isZero() ? "no time limit" : retention.toMillis() % 3_600_000 == 0 ? retention.toHours() + " h"
                : retention.toMillis() + " ms";
    }

    /** A topic as footfall creates it: the configured partitions and replicas, raw's retention, min in-sync replicas. */
    static NewTopic newTopic(String name, KafkaConfig kafka) {
        Map<String, String> configs = new HashMap<>();
        if (name.equals(KafkaConfig.RAW_TOPIC)) {
            configs.put("retention.ms", Long.toString(kafka.rawRetention().toMillis()));
        }
        if (kafka.minInsyncReplicas() > 0) {
            configs.put("min.insync.replicas", Integer.toString(kafka.minInsyncReplicas()));
        }
        return new NewTopic(name, kafka.partitions(), kafka.replicationFactor()).configs(configs);
    }

    private static IllegalStateException unreachable(KafkaConfig kafka, Duration timeout) {
        return new IllegalStateException("Kafka at " + kafka.bootstrapServers() + " (kafka.bootstrapServers) did not answer within "
                + timeout.toSeconds() + " s (kafka.startTimeout)");
    }
}
