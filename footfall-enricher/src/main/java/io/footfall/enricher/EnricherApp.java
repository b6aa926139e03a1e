package io.footfall.enricher;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.enricher.pipeline.EnricherResources;
import io.footfall.enricher.pipeline.StepTimings;
import io.footfall.enricher.topology.BoundedRocksDb;
import io.footfall.enricher.topology.EnricherTopology;
import io.footfall.enricher.useragent.YauaaParser;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the enricher topology with exactly-once processing. */
public final class EnricherApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EnricherApp.class);
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final KafkaStreams streams;
    private final EnricherResources resources;
    private final boolean userAgentEnabled;
    private final AtomicBoolean closed = new AtomicBoolean();

    public EnricherApp(KafkaConfig kafka, EnricherConfig config, Path stateDir) {
        this(kafka, config, stateDir, Clock.systemUTC(), StepTimings.OFF);
    }

    /** With a clock (tests cross midnight with it) and per-step timings (the benchmark reads them). */
    public EnricherApp(KafkaConfig kafka, EnricherConfig config, Path stateDir, Clock clock, StepTimings timings) {
        this.resources = EnricherResources.create(config, YauaaParser.shared(), timings);
        this.userAgentEnabled = config.userAgentEnabled();
        this.streams = new KafkaStreams(EnricherTopology.buildTopology(config, clock, resources),
                streamsProperties(kafka, config, stateDir));
        this.streams.setUncaughtExceptionHandler(e -> {
            LOG.error("event=enricher_thread_failed action=replace_thread error=\"{}\"", e.toString());
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    /** The Streams properties of the enricher; the benchmark reuses them for its pass-through reference. */
    public static Properties streamsProperties(KafkaConfig kafka, EnricherConfig config, Path stateDir) {
        Properties p = new Properties();
        p.putAll(kafka.clientProperties());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) kafka.replicationFactor());
        if (kafka.minInsyncReplicas() > 0) {
            // The changelogs and repartition topics Streams creates, as footfall's own topics.
            p.put(StreamsConfig.topicPrefix("min.insync.replicas"), Integer.toString(kafka.minInsyncReplicas()));
        }
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        // No record reaches this handler: the pipeline turns every record-caused failure into a footfall.bad
        // record. What does reach it is a state-store failure (disk, RocksDB); continuing would skip the record
        // silently, failing replaces the thread and retries it from the last committed transaction.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailProcessingExceptionHandler.class);
        // Output is visible to the loader (read_committed) only when its transaction commits, and the commit first
        // sends whatever is still buffered: waiting up to 20 ms to fill a batch delays nothing a reader sees.
        // Against 5 ms it cut the produce requests the producer threads and the broker handle (bench: ~50k → ~57k/s).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 20);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 128 * 1024);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 2000);
        // After a crash the dead member holds its partitions until its session expires: 10 s, not 45 s.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 2_000);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 16L * 1024 * 1024);
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class);
        return p;
    }

    /**
     * Starts the stream threads and waits until the application is running, or the timeout passes. After an
     * unclean stop the state stores are rebuilt from their changelogs first, and the group waits for the dead
     * member's session to expire: that can take a while, so the wait says every 10 s what it is waiting for.
     */
    public void start(Duration timeout) {
        start(timeout, () -> false);
    }

    /**
     * As {@link #start(Duration)}, giving up the wait (without an exception, not ready) once {@code giveUp} says so:
     * the process is being stopped.
     */
    public void start(Duration timeout, BooleanSupplier giveUp) {
        if (userAgentEnabled && !YauaaParser.built()) {
            // Processing starts once the user-agent parser is built: a first parse inside an open transaction
            // could outlast the transaction's timeout on a slow machine (100 s seen at a load average of 35) and
            // get the producer fenced. Joining the group and restoring state go on meanwhile.
            streams.pause();
            YauaaParser.warmUpInBackground(streams::resume);
        }
        streams.start();
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        long nextReport = started + PROGRESS_EVERY_NANOS;
        while (!ready() && !giveUp.getAsBoolean()) {
            long now = System.nanoTime();
            if (now > deadline || !streams.state().isRunningOrRebalancing()) {
                throw new IllegalStateException("enricher did not reach RUNNING within " + timeout.toSeconds()
                        + " s (state " + streams.state() + (streams.isPaused() ? ", waiting for the user-agent parser" : "") + ")");
            }
            if (now > nextReport) {
                LOG.info("event=enricher_starting state={} parser_ready={} waited_s={}", streams.state(), !streams.isPaused(),
                        TimeUnit.NANOSECONDS.toSeconds(now - started));
                nextReport = now + PROGRESS_EVERY_NANOS;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the enricher");
            }
        }
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Processing: Kafka Streams is RUNNING and not waiting for the user-agent parser. */
    public boolean ready() {
        return streams.state() == KafkaStreams.State.RUNNING && !streams.isPaused();
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** The user-agent cache, lists, GeoIP reader and step timings shared by this instance's tasks. */
    public EnricherResources resources() {
        return resources;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return; // a start given up closes it, and so does the command's stop afterwards
        }
        // Leave the group on close, so a restarted instance gets its partitions at once instead of after
        // the previous member's session times out.
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        resources.close();
        LOG.info("event=enricher_stopped");
    }
}
