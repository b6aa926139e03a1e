package io.footfall.app.cli;

import io.footfall.app.broker.BrokerAddressFile;
import io.footfall.app.broker.EmbeddedKafka;
import io.footfall.app.broker.Topics;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code footfall broker}: the single-node KRaft broker of {@code standalone}, on its own, so the roles can
 * run as separate processes against it (a local cluster, or the outage suite stopping it under load). Its
 * log lives in {@code <data-dir>/kafka}, where {@code standalone} keeps its own, and its address is written
 * beside it for {@code tap}.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Run a single-node Kafka broker (KRaft, 127.0.0.1 only) for local clusters and tests.",
                "Creates the footfall topics; the collector, enricher and loader roles then run against it."})
public final class BrokerCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the broker log goes to DIR/kafka (default ./data)")
    Path dataDir;

    @Option(names = "--port", paramLabel = "PORT", description = "client port on 127.0.0.1; 0 = a free one (default kafka.embeddedPort, 0)")
    Integer port;

    @Option(names = "--partitions", paramLabel = "N", description = "partitions per topic when the topics are first created (default kafka.partitions, 6)")
    Integer partitions;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        StandaloneCommand.put(flags, "dataDir", dataDir);
        StandaloneCommand.put(flags, "kafka.embeddedPort", port);
        StandaloneCommand.put(flags, "kafka.partitions", partitions);
        FootfallConfig config = configOptions.load(flags);
        Path dir = config.dataDir();
        return Lifecycle.run("broker", life -> {
            // No repair of hanging transactions here: the roles run in their own processes and may outlive a
            // broker restart, still writing into the transaction the repair would end.
            EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), config.kafka().embeddedPort(), config.kafka(),
                    false);
            life.push(broker);
            BrokerAddressFile.write(dir, broker.bootstrapServers());
            life.push(() -> BrokerAddressFile.delete(dir));
            KafkaConfig kafka = config.kafka().withBootstrapServers(broker.bootstrapServers());
            int partitions = Topics.ensure(kafka, kafka.startTimeout(), life::stopping);
            System.out.println("footfall: broker ready at " + broker.bootstrapServers() + " (KRaft, data "
                    + dir.resolve("kafka") + ", " + partitions + " partitions)");
        });
    }
}
