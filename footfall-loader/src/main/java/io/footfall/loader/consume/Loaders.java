package io.footfall.loader.consume;

import io.footfall.core.config.KafkaConfig;
import io.footfall.core.config.LoaderConfig;
import io.footfall.loader.warehouse.WarehouseWriter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader of one process: {@code loader.writers} {@link LoaderService}s in one consumer group, so each owns
 * its share of the partitions and writes them in its own warehouse transactions, on its own connection. They
 * are exactly the separate loader processes that already share a group (offsets stored per partition,
 * compare-and-set, in each batch's transaction), only in one JVM. A session's events share a partition (the
 * enricher keys {@code footfall.events} by visitor), so no two of them write the same rollup row.
 *
 * <p>Metrics are theirs together: rows, batches and freshness add up, the lag gauge has one figure per
 * partition, and {@code footfall_loader_batch_records} sums what each holds.
 */
public final class Loaders implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Loaders.class);

    private final WarehouseWriter writer;
    private final List<LoaderService> services = new ArrayList<>();
    /** Null when {@code loader.retention} keeps every event. */
    private final RetentionJob retention;

    public Loaders(KafkaConfig kafka, LoaderConfig config, WarehouseWriter writer, MeterRegistry registry) {
        this.writer = writer;
        if (config.writers() > kafka.partitions()) {
            LOG.warn("event=idle_writers writers={} partitions={} reason=\"a writer without a partition idles: lower"
                    + " loader.writers, or give footfall.events more partitions (kafka.partitions applies when the topics are"
                    + " created; kafka-topics.sh --alter --partitions for existing ones)\"", config.writers(), kafka.partitions());
        }
        String staticId = kafka.clientProperties().get("group.instance.id");
        PartitionLag lag = new PartitionLag(registry);
        try {
            for (int i = 0; i < config.writers(); i++) {
                String name = config.writers() == 1 ? "" : "-" + (i + 1);
                // Static members of one group need one id each; the first keeps the id a single loader has.
                KafkaConfig own = staticId == null || i == 0 ? kafka
                        : kafka.withClientProperty("group.instance.id", staticId + name);
                services.add(new LoaderService(own, config, writer, registry, Clock.systemUTC(),
                        i == 0 ? lag : lag.sibling(), name));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        retention = config.retention().isZero() ? null : new RetentionJob(writer, config.retention(), Clock.systemUTC(), registry);
        Gauge.builder("footfall.loader.batch.records", this, Loaders::heldRecords)
                .description(LoaderService.HELD_RECORDS)
                .register(registry);
    }

    private double heldRecords() {
        double held = 0;
        for (LoaderService s : services) {
            held += s.heldRecords();
        }
        return held;
    }

    /** Migrates the schema once, then starts every loader, and the retention runs if {@code loader.retention} is set. */
    public void start() throws SQLException {
        try {
            writer.migrate();
            services.forEach(LoaderService::startConsuming);
            if (retention != null) {
                retention.start();
            }
        } catch (SQLException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The last measured lag of each partition these loaders own. */
    public Map<Integer, Long> lag() {
        return services.get(0).lag();
    }

    /** How many partitions each loader owns now, in order (all 0 until the group has assigned them). */
    public List<Integer> partitionsPerWriter() {
        return services.stream().map(LoaderService::ownedPartitions).toList();
    }

    /** Whether every loader's thread is alive. */
    public boolean running() {
        return services.stream().allMatch(LoaderService::running);
    }

    /**
     * Tells {@code listener} when one of these loaders stops by itself (the others go on): it loads nothing more
     * until the process starts again. Called on that loader's thread, which must not be waited for there.
     */
    public void onFailure(Consumer<String> listener) {
        services.forEach(s -> s.onFailure(listener));
    }

    public int size() {
        return services.size();
    }

    /** Stops every loader; each writes its open batch first. */
    @Override
    public void close() {
        if (retention != null) {
            retention.close();
        }
        // All at once, so that no loader takes over the partitions of one that leaves before it.
        services.forEach(LoaderService::stopConsuming);
        services.forEach(LoaderService::close);
    }
}
