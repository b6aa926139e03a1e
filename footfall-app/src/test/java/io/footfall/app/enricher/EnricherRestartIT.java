package io.footfall.app.enricher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.footfall.app.bench.RawWorkload;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.enricher.EnricherApp;
import io.footfall.enricher.pipeline.EnricherResources;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A clean stop keeps the enricher's local state: the next start on the same state directory goes on from it,
 * without wiping it and replaying the changelogs (which takes longer the more visitors and ids it holds).
 */
class EnricherRestartIT {

    @TempDir
    Path dir;

    @Test
    void aCleanRestartRestoresNothing() throws Exception {
        long start = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
        List<RawWorkload.Item> first = RawWorkload.generate(5_000, 7, start, Duration.ofMinutes(30).toMillis(), 0.05,
                0.05, 0.0, EnricherResources.crawlerList().examples());
        List<RawWorkload.Item> second = RawWorkload.generate(2_000, 8, start + Duration.ofMinutes(30).toMillis(),
                Duration.ofMinutes(20).toMillis(), 0.05, 0.05, 0.0, EnricherResources.crawlerList().examples());
        try (TestBroker broker = TestBroker.start(dir, 2)) {
            FootfallConfig config = broker.config(dir, Map.of("enricher.threads", "1"));
            String app = config.enricher().applicationId();
            Path state = dir.resolve("state");

            RawTopic.produce(broker.bootstrapServers(), first);
            AtomicLong restoredFirst = new AtomicLong();
            try (EnricherApp enricher = new EnricherApp(config.kafka(), config.enricher(), state)) {
                enricher.streams().setGlobalStateRestoreListener(counting(restoredFirst));
                enricher.start(Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60)).until(() -> RawTopic.consumedRaw(broker.bootstrapServers(), app) == first.size());
            }
            assertEquals(0, restoredFirst.get(), "a first start has nothing to restore");

            RawTopic.produce(broker.bootstrapServers(), second);
            AtomicLong restoredAgain = new AtomicLong();
            try (EnricherApp enricher = new EnricherApp(config.kafka(), config.enricher(), state)) {
                enricher.streams().setGlobalStateRestoreListener(counting(restoredAgain));
                enricher.start(Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> RawTopic.consumedRaw(broker.bootstrapServers(), app) == first.size() + second.size());
            }
            assertEquals(0, restoredAgain.get(), "records replayed from the changelogs after a clean stop");
            long stored = RawTopic.readCommitted(broker.bootstrapServers(), KafkaConfig.EVENTS_TOPIC).size();
            long expected = java.util.stream.Stream.concat(first.stream(), second.stream())
                    .filter(i -> i.kind() == RawWorkload.Kind.VALID).count();
            assertEquals(expected, stored, "every unique valid event once, across the restart");
            assertTrue(stored > 0);
        }
    }

    /** Tasks that got no record (here two of three partitions) must restart cleanly too. */
    @Test
    void idleTasksRestartWithoutBeingCountedCorrupted() throws Exception {
        List<RawWorkload.Item> one = RawWorkload.generate(1, 9, Instant.now().toEpochMilli(), 1, 0.0, 0.0, 0.0,
                EnricherResources.crawlerList().examples());
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        try (TestBroker broker = TestBroker.start(dir, 3)) {
            FootfallConfig config = broker.config(dir, Map.of("enricher.threads", "1"));
            String app = config.enricher().applicationId();
            Path state = dir.resolve("state");
            RawTopic.produce(broker.bootstrapServers(), one);
            try (EnricherApp enricher = new EnricherApp(config.kafka(), config.enricher(), state)) {
                enricher.start(Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60)).until(() -> RawTopic.consumedRaw(broker.bootstrapServers(), app) == 1);
                // The idle tasks write their keeper a second after their start: every partition of the seen-ids
                // changelog then holds a record (and its commit marker).
                await().atMost(Duration.ofSeconds(30)).until(() -> changelogEnds(broker.bootstrapServers(),
                        app + "-seen-ids-changelog", 3).stream().allMatch(end -> end > 0));
            }
            logged.start();
            root.addAppender(logged);
            try (EnricherApp enricher = new EnricherApp(config.kafka(), config.enricher(), state)) {
                enricher.start(Duration.ofSeconds(60));
            } finally {
                root.detachAppender(logged);
            }
            List<String> corrupted = logged.list.stream()
                    .filter(e -> (e.getFormattedMessage() + e.getThrowableProxy()).contains("TaskCorruptedException")
                            || e.getFormattedMessage().contains("did not find checkpoint offsets"))
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(List.of(), corrupted, "tasks counted corrupted after a clean stop");
            assertTrue(logged.list.size() > 0, "the restart was logged at all");
        }
    }

    /** The end offset of each of a topic's {@code partitions} partitions (0 for one that does not exist yet). */
    private static List<Long> changelogEnds(String bootstrap, String topic, int partitions) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = java.util.stream.IntStream.range(0, partitions)
                    .mapToObj(p -> new TopicPartition(topic, p)).toList();
            Map<TopicPartition, Long> ends = consumer.endOffsets(all, Duration.ofSeconds(5));
            return all.stream().map(tp -> ends.getOrDefault(tp, 0L)).toList();
        } catch (org.apache.kafka.common.KafkaException e) {
            return List.of(0L);
        }
    }

    private static StateRestoreListener counting(AtomicLong restored) {
        return new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
            }

            @Override
            public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
                restored.addAndGet(numRestored);
            }

            @Override
            public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
            }
        };
    }
}
