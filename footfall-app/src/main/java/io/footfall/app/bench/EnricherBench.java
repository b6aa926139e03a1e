package io.footfall.app.bench;

import io.footfall.app.broker.EmbeddedKafka;
import io.footfall.app.broker.Topics;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.config.Settings;
import io.footfall.enricher.EnricherApp;
import io.footfall.enricher.pipeline.EnricherResources;
import io.footfall.enricher.pipeline.EnrichmentPipeline;
import io.footfall.enricher.pipeline.InMemoryState;
import io.footfall.enricher.pipeline.Step;
import io.footfall.enricher.pipeline.StepTimings;
import io.footfall.enricher.useragent.YauaaParser;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code footfall bench enricher}: events/s through the full enricher topology with exactly-once on, on a
 * real (in-process) broker, with a realistic mix, against two references measured in the same run: a
 * Kafka Streams pass-through with exactly-once (the floor the broker and Streams impose) and the enrichment
 * pipeline alone in memory on one thread (the CPU cost of the steps). Prints the UA cache hit rate, heap in
 * use and the per-step cost.
 */
@Command(name = "enricher", mixinStandardHelpOptions = true,
        description = "Benchmark the enricher topology on an in-process broker (exactly-once on).")
public final class EnricherBench implements Callable<Integer> {

    @Option(names = "--events", description = "raw records to process (default ${DEFAULT-VALUE})")
    int events = 3_000_000;

    @Option(names = "--partitions", description = "partitions of each topic (default ${DEFAULT-VALUE})")
    int partitions = 6;

    @Option(names = "--threads", description = "stream threads (default ${DEFAULT-VALUE})")
    int threads = 2;

    @Option(names = "--commit-interval", description = "exactly-once commit interval (default ${DEFAULT-VALUE})")
    String commitInterval = "100ms";

    @Option(names = "--warmup-events", description = "records processed before the clock starts, so that the JIT "
            + "compiler and the user-agent cache are warm (default: a third of --events)")
    Integer warmupEvents;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "an enricher setting for this run, e.g. --set enricher.dedup.enabled=false (repeatable)")
    Map<String, String> settings = new HashMap<>();

    @Option(names = "--dir", description = "working directory, deleted contents are not reused (default: a temp dir)")
    Path dir;

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EnricherBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("footfall-bench-enricher");
        Map<String, String> flags = new HashMap<>(Map.of("dataDir", work.toString(),
                "kafka.partitions", Integer.toString(partitions), "enricher.threads", Integer.toString(threads),
                "enricher.commitInterval", commitInterval));
        flags.putAll(settings);
        FootfallConfig base = FootfallConfig.from(Settings.of(flags));
        out.printf("enricher bench: %,d raw records (10%% bot visitors, 5%% duplicates, 2%% invalid), %d partitions, "
                + "%d stream threads, commit %s, exactly_once_v2, %d cores, max heap %d MB%n", events, partitions, threads,
                commitInterval, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        if (!settings.isEmpty()) {
            out.println("settings: " + settings);
        }

        long yauaaStart = System.nanoTime();
        YauaaParser.shared().parse("Mozilla/5.0");
        out.printf("yauaa analyzer built in %d ms (once per process)%n", (System.nanoTime() - yauaaStart) / 1_000_000);

        double pipelineOnly = pipelineOnly(base);
        try (EmbeddedKafka broker = EmbeddedKafka.start(work.resolve("kafka"), 0, base.kafka())) {
            KafkaConfig kafka = base.kafka().withBootstrapServers(broker.bootstrapServers());
            Topics.ensure(kafka, Duration.ofSeconds(30));
            FootfallConfig config = base.withKafka(kafka);
            long distinctAgents = produce(kafka.bootstrapServers());
            out.printf("distinct user agents in the workload: %,d%n", distinctAgents);

            double passThrough = passThrough(config, work);
            StepTimings timings = StepTimings.recording();
            EnricherApp app = new EnricherApp(kafka, config.enricher(), work.resolve("streams"), Clock.systemUTC(), timings);
            double enricher;
            long heapUsedMb;
            try (app) {
                enricher = run(kafka, config.enricher().applicationId(), () -> app.start(Duration.ofSeconds(120)),
                        timings::reset);
                heapUsedMb = heapUsedMb();
            }
            report(enricher, passThrough, pipelineOnly, app.resources(), timings, heapUsedMb);
        }
        return 0;
    }

    /** The steps alone: one thread, in-memory state, no broker; the CPU ceiling of enrichment on one core. */
    private double pipelineOnly(FootfallConfig config) {
        StepTimings timings = StepTimings.recording();
        EnrichmentPipeline pipeline = new EnrichmentPipeline(config.enricher(), Clock.systemUTC(),
                EnricherResources.create(config.enricher(), YauaaParser.shared(), timings));
        InMemoryState state = new InMemoryState();
        RawWorkload workload = workload(Math.min(events, 200_000));
        List<byte[]> values = new ArrayList<>();
        while (workload.hasNext()) {
            values.add(workload.next().value());
        }
        for (byte[] v : values.subList(0, Math.min(values.size(), 20_000))) {
            pipeline.process(v, new InMemoryState());
        }
        timings.reset();
        long start = System.nanoTime();
        for (byte[] v : values) {
            pipeline.process(v, state);
        }
        double rate = values.size() / ((System.nanoTime() - start) / 1e9);
        out.printf("reference, pipeline alone (1 thread, in memory, no broker): %,.0f events/s%n", rate);
        out.println("  " + steps(timings) + " (after a 20,000-event warm-up)");
        return rate;
    }

    private RawWorkload workload(int n) {
        return new RawWorkload(n, 7, Instant.now().minus(Duration.ofHours(6)).toEpochMilli(),
                Duration.ofHours(5).toMillis(), 0.10, 0.05, 0.02, EnricherResources.crawlerList().examples());
    }

    private long produce(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        RawWorkload workload = workload(events);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (workload.hasNext()) {
                RawWorkload.Item item = workload.next();
                producer.send(new ProducerRecord<>(KafkaConfig.RAW_TOPIC, item.key(), item.value()));
            }
            producer.flush();
        }
        out.printf("raw topic filled: %,d records in %.1f s (not part of any figure)%n", events,
                (System.nanoTime() - start) / 1e9);
        return workload.distinctAgents();
    }

    /** Kafka Streams copying raw to a scratch topic with exactly-once: what the broker and Streams cost alone. */
    private double passThrough(FootfallConfig config, Path work) throws Exception {
        String copy = "bench.passthrough";
        try (Admin admin = admin(config.kafka().bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(copy, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Topology topology = new Topology();
        topology.addSource("raw", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), KafkaConfig.RAW_TOPIC);
        topology.addSink("copy", copy, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(), "raw");
        Properties p = new Properties();
        p.putAll(EnricherApp.streamsProperties(config.kafka(), config.enricher(), work.resolve("passthrough-state")));
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-passthrough");
        KafkaStreams streams = new KafkaStreams(topology, p);
        try {
            double rate = run(config.kafka(), "bench-passthrough", streams::start, () -> { });
            out.printf("reference, Streams pass-through raw -> copy (exactly-once, same settings): %,.0f events/s%n", rate);
            return rate;
        } finally {
            streams.close(Duration.ofSeconds(30));
        }
    }

    /**
     * Starts an application and times it from the moment its committed offsets pass the warm-up records
     * (start-up, the first rebalance and the JIT compiler's first minute are not throughput) until its
     * committed raw offsets reach the end of the topic. Prints the rate every five seconds on the way.
     */
    private double run(KafkaConfig kafka, String applicationId, Runnable start, Runnable warm) throws Exception {
        try (Admin admin = admin(kafka.bootstrapServers())) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                latest.put(new TopicPartition(KafkaConfig.RAW_TOPIC, i), OffsetSpec.latest());
            }
            long end = admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
            start.run();
            long warmup = warmupEvents != null ? warmupEvents : events / 3;
            long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
            long firstAt = 0, firstCommitted = 0, committed;
            long shownAt = System.nanoTime(), shown = 0;
            while ((committed = committed(admin, applicationId)) < end) {
                long now = System.nanoTime();
                if (firstAt == 0 && committed > Math.min(warmup, end - 1)) {
                    firstAt = now;
                    firstCommitted = committed;
                    warm.run();
                }
                if (now - shownAt >= 5_000_000_000L) {
                    out.printf("  %s: %,d of %,d records, %,.0f/s in the last %.0f s%s%n", applicationId, committed, end,
                            (committed - shown) / ((now - shownAt) / 1e9), (now - shownAt) / 1e9,
                            firstAt == 0 ? " (warm-up)" : "");
                    shownAt = now;
                    shown = committed;
                }
                if (now > deadline) {
                    throw new IllegalStateException(applicationId + " did not finish within 15 minutes");
                }
                Thread.sleep(10);
            }
            if (firstAt == 0) {
                throw new IllegalStateException("finished between two polls after the warm-up: use more --events");
            }
            return (end - firstCommitted) / ((System.nanoTime() - firstAt) / 1e9);
        }
    }

    private static long committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(KafkaConfig.RAW_TOPIC) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    private static String steps(StepTimings timings) {
        StringBuilder steps = new StringBuilder("per-step cost, µs/event (mean over the events reaching the step):");
        double total = 0;
        for (Map.Entry<Step, Double> e : timings.meanMicros().entrySet()) {
            steps.append(String.format(" %s=%.2f", e.getKey().name().toLowerCase(), e.getValue()));
            total += e.getValue();
        }
        return steps.append(String.format(" sum=%.2f", total)).toString();
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static long heapUsedMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    }

    private void report(double enricher, double passThrough, double pipelineOnly, EnricherResources resources,
                        StepTimings timings, long heapUsedMb) {
        out.printf("enricher topology: %,.0f events/s = %.2f x the Streams pass-through, %.2f x the pipeline alone%n",
                enricher, enricher / passThrough, enricher / pipelineOnly);
        out.printf("user-agent cache: hit rate %.4f (%,d hits, %,d misses at %.0f µs each: Yauaa + crawler list)%n",
                resources.userAgents().hitRate(), resources.userAgents().hits(), resources.userAgents().misses(),
                resources.userAgents().meanMissMicros());
        out.printf("heap in use at the end (broker, enricher and this harness share the JVM): %d MB%n", heapUsedMb);
        out.println("in the topology, " + steps(timings));
        out.printf("target 50,000 events/s: %s%n", enricher >= 50_000 ? "met" : "missed");
    }
}
