package io.footfall.app.enricher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.bench.RawWorkload;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.event.BadEvent;
import io.footfall.core.json.BadEventJson;
import io.footfall.core.json.StoredEventJson;
import io.footfall.enricher.EnricherApp;
import io.footfall.enricher.pipeline.EnricherResources;
import io.footfall.query.pipeline.RecentBadEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records of {@code footfall.raw} the topic's retention deletes before the enricher reads them are lost; Kafka Streams
 * then goes on from the first record there is without a word. The enricher counts them
 * ({@code footfall_enricher_records_expired_total}), logs them and writes one {@code footfall.bad} record per gap,
 * whether it was stopped meanwhile or running but behind. The restarts begin with no local state, so the positions
 * come back from their changelog, as on another machine or after a crash.
 */
class EnricherExpiredRecordsIT {

    private static final Pattern LOST = Pattern.compile("partition (\\d+): (\\d+) records \\(offsets (\\d+) to (\\d+)\\)");

    @TempDir
    Path dir;

    @Test
    void recordsDeletedBeforeTheEnricherReadThemAreCountedOnceWhetherItWasStoppedOrBehind() throws Exception {
        long start = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
        try (TestBroker broker = TestBroker.start(dir, 2);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            FootfallConfig config = broker.config(dir, Map.of("enricher.threads", "1"));
            String app = config.enricher().applicationId();
            Path state = dir.resolve("state");
            String bootstrap = broker.bootstrapServers();

            // 1. Read everything, stop.
            RawTopic.produce(bootstrap, workload(2_000, 1, start));
            try (EnricherApp enricher = new EnricherApp(config.kafka(), config.enricher(), state)) {
                enricher.start(Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60)).until(() -> RawTopic.consumedRaw(bootstrap, app) == 2_000);
                assertEquals(0, enricher.resources().expiredRecords().sum(), "nothing was lost yet");
            }

            // 2. While it is stopped, 3,000 more arrive and the first half of them on each partition is deleted.
            Map<TopicPartition, Long> before = ends(admin);
            RawTopic.produce(bootstrap, workload(3_000, 2, start));
            Map<TopicPartition, Long> after = ends(admin);
            Map<TopicPartition, Long> deleteTo = new HashMap<>();
            long deletedWhileStopped = 0;
            for (TopicPartition tp : after.keySet()) {
                long to = before.get(tp) + (after.get(tp) - before.get(tp)) / 2;
                deleteTo.put(tp, to);
                deletedWhileStopped += to - before.get(tp);
            }
            delete(admin, deleteTo);
            assertTrue(deletedWhileStopped > 1_000, "the test deletes something: " + deletedWhileStopped);
            deleteLocalState(state);

            try (EnricherApp enricher = new EnricherApp(config.kafka(), config.enricher(), state)) {
                enricher.start(Duration.ofSeconds(60));
                long produced = 5_000;
                await().atMost(Duration.ofSeconds(60)).until(() -> RawTopic.consumedRaw(bootstrap, app) == produced);
                assertEquals(deletedWhileStopped, enricher.resources().expiredRecords().sum(),
                        "records deleted while the enricher was stopped");
                assertOutput(bootstrap, produced - deletedWhileStopped, deletedWhileStopped, deleteTo.size());
                // The pipeline panel lists them (read past the transactions' markers, which no poll returns).
                try (RecentBadEvents recent = new RecentBadEvents(config.kafka())) {
                    RecentBadEvents.Sample sample = recent.sample();
                    assertEquals(List.of("enrich/records_expired_before_enrichment=" + deleteTo.size()), sample.reasons().stream()
                            .map(r -> r.stage() + "/" + r.reason() + "=" + r.count()).toList());
                    assertTrue(sample.reasons().get(0).sample().contains("were gone before the enricher read them"));
                }

                // 3. Running but behind: processing paused while 40,000 arrive, all but the last 500 of each
                // partition's deleted. What the consumer had already fetched is processed; the rest is lost, counted.
                enricher.streams().pause();
                Map<TopicPartition, Long> pausedAt = ends(admin);
                RawTopic.produce(bootstrap, workload(40_000, 3, start));
                Map<TopicPartition, Long> end = ends(admin);
                Map<TopicPartition, Long> behind = new HashMap<>();
                end.forEach((tp, e) -> behind.put(tp, e - 500));
                delete(admin, behind);
                enricher.streams().resume();
                long all = produced + 40_000;
                await().atMost(Duration.ofSeconds(120)).until(() -> RawTopic.consumedRaw(bootstrap, app) == all);
                long expired = enricher.resources().expiredRecords().sum() - deletedWhileStopped;
                long deletedWhileBehind = behind.entrySet().stream()
                        .mapToLong(e -> e.getValue() - pausedAt.get(e.getKey())).sum();
                assertTrue(expired > 0 && expired <= deletedWhileBehind, "lost while behind: " + expired
                        + " of the " + deletedWhileBehind + " deleted (the rest had been fetched before the deletion)");
                assertOutput(bootstrap, all - deletedWhileStopped - expired, deletedWhileStopped + expired, -1);
            }

            // 4. A restart counts nothing again: the positions committed with the output.
            deleteLocalState(state);
            try (EnricherApp enricher = new EnricherApp(config.kafka(), config.enricher(), state)) {
                enricher.start(Duration.ofSeconds(60));
                RawTopic.produce(bootstrap, workload(100, 4, start));
                await().atMost(Duration.ofSeconds(60)).until(() -> RawTopic.consumedRaw(bootstrap, app) == 45_100);
                assertEquals(0, enricher.resources().expiredRecords().sum(), "a restart found a loss again");
            }
        }
    }

    /** Valid, unique events only: every raw record is one stored event. */
    private static List<RawWorkload.Item> workload(int events, long seed, long start) {
        return RawWorkload.generate(events, seed, start, Duration.ofMinutes(30).toMillis(), 0.0, 0.0, 0.0,
                EnricherResources.crawlerList().examples());
    }

    /**
     * {@code footfall.events} holds exactly {@code stored} distinct events, and {@code footfall.bad} gap records whose
     * counts sum to {@code lost} ({@code gaps} of them, unless -1).
     */
    private static void assertOutput(String bootstrap, long stored, long lost, int gaps) {
        Set<String> ids = new HashSet<>();
        List<byte[]> events = RawTopic.readCommitted(bootstrap, KafkaConfig.EVENTS_TOPIC);
        for (byte[] value : events) {
            try {
                ids.add(StoredEventJson.decode(value).eventId());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertEquals(events.size(), ids.size(), "an event stored twice");
        assertEquals(stored, events.size(), "stored events");
        long counted = 0;
        int records = 0;
        for (byte[] value : RawTopic.readCommitted(bootstrap, KafkaConfig.BAD_TOPIC)) {
            BadEvent bad;
            try {
                bad = BadEventJson.decode(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertEquals("records_expired_before_enrichment", bad.reason(), bad.detail());
            Matcher m = LOST.matcher(bad.detail());
            assertTrue(m.find(), bad.detail());
            long n = Long.parseLong(m.group(2));
            assertEquals(n, Long.parseLong(m.group(4)) - Long.parseLong(m.group(3)) + 1, bad.detail());
            counted += n;
            records++;
        }
        assertEquals(lost, counted, "the records footfall.bad says were lost");
        if (gaps >= 0) {
            assertEquals(gaps, records, "one footfall.bad record per partition's gap");
        }
    }

    /** Removes the enricher's local stores: its next start restores them from their changelogs. */
    private static void deleteLocalState(Path state) throws IOException {
        try (Stream<Path> files = Files.walk(state)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Map<TopicPartition, Long> ends(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            latest.put(new TopicPartition(KafkaConfig.RAW_TOPIC, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static void delete(Admin admin, Map<TopicPartition, Long> before) throws Exception {
        Map<TopicPartition, RecordsToDelete> records = new HashMap<>();
        before.forEach((tp, offset) -> records.put(tp, RecordsToDelete.beforeOffset(offset)));
        admin.deleteRecords(records).all().get(30, TimeUnit.SECONDS);
    }
}
