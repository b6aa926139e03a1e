package io.footfall.app.cli;

import io.footfall.app.broker.EmbeddedKafka;
import io.footfall.app.broker.Topics;
import io.footfall.app.standalone.Roles;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.VisitorKey;
import io.footfall.core.json.Json;
import io.footfall.core.json.RawEventJson;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Benchmark helpers, driven by {@code bench/collector.sh}: a collector with its own embedded broker and
 * nothing else (so the load generator measures the ingestion edge, not the enricher or the warehouse),
 * and the raw Kafka producer rate for the same records — the ceiling the collector's batch path is
 * compared with.
 */
@Command(name = "collector-bench", mixinStandardHelpOptions = true,
        description = "Collector benchmark helpers (see bench/collector.sh).",
        subcommands = {CollectorBenchCommand.Serve.class, CollectorBenchCommand.Produce.class})
public final class CollectorBenchCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Run an embedded broker and the collector only, until stopped.")
    public static final class Serve implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() throws Exception {
            FootfallConfig config = options.load(Map.of());
            Path dataDir = Files.createDirectories(config.dataDir());
            return Lifecycle.run("benchmark collector and its broker", life -> {
                EmbeddedKafka broker = EmbeddedKafka.start(dataDir.resolve("kafka"), config.kafka().embeddedPort(), config.kafka());
                life.push(broker);
                FootfallConfig wired = config.withKafka(config.kafka().withBootstrapServers(broker.bootstrapServers()));
                Topics.ensure(wired.kafka(), wired.kafka().startTimeout(), life::stopping);
                System.out.println("footfall: broker ready at " + broker.bootstrapServers());
                Roles.Collector collector = Roles.collector(wired, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                life.push(collector);
                System.out.println("footfall: collector ready at " + collector.url(wired.collector().host()));
            });
        }
    }

    @Command(name = "produce", mixinStandardHelpOptions = true,
            description = "Send raw-topic records straight to Kafka with the collector's producer settings; print records/s.")
    public static final class Produce implements Callable<Integer> {
        @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT")
        String bootstrap;

        @Option(names = "--records", defaultValue = "2000000", paramLabel = "N")
        int records;

        @Option(names = "--event", required = true, paramLabel = "JSON",
                description = "one client event, as the batch benchmark sends it")
        String event;

        @Override
        public Integer call() throws Exception {
            RawEvent parsed;
            try (var parser = Json.FACTORY.createParser(event)) {
                parser.nextToken();
                parsed = io.footfall.core.event.EventReader.read(parser, System.currentTimeMillis());
            }
            RawEvent template = parsed.withReceipt(System.currentTimeMillis(), "203.0.113.7", "Mozilla/5.0 (bench)");
            Map<String, Object> props = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
            AtomicLong failed = new AtomicLong();
            CountDownLatch done = new CountDownLatch(records);
            long t0;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.partitionsFor(KafkaConfig.RAW_TOPIC);
                t0 = System.nanoTime();
                for (int i = 0; i < records; i++) {
                    // Encoded per record, as the collector does: the same per-event work minus HTTP and parsing.
                    RawEvent e = template.withEventId(UUID.randomUUID().toString());
                    producer.send(new ProducerRecord<>(KafkaConfig.RAW_TOPIC, VisitorKey.of(e), RawEventJson.encode(e)),
                            (m, error) -> {
                                if (error != null) {
                                    failed.incrementAndGet();
                                }
                                done.countDown();
                            });
                }
                done.await();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "producer_records_per_second=%.0f records=%d failed=%d seconds=%.2f%n",
                    records / seconds, records, failed.get(), seconds);
            return failed.get() == 0 ? 0 : 1;
        }
    }
}
