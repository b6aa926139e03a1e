package io.footfall.app.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.collector.hostile.Category;
import io.footfall.app.collector.hostile.CorpusRun;
import io.footfall.app.collector.hostile.TopicScan;
import io.footfall.app.standalone.Roles;
import io.footfall.app.testing.TestBroker;
import io.footfall.core.config.KafkaConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input corpus ({@code src/test/resources/hostile/*.cases}) against a real collector and broker
 * over plain sockets: every case gets its documented answer and never a 5xx, the collector stays healthy
 * after each category, its heap stays flat, and nothing of a rejected case reaches {@code footfall.raw}
 * (each accepted one exactly as often as it was accepted).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileCorpusIT {

    /** Used heap after a full GC may grow this much over the run: caches and JIT data, not a leak per case. */
    private static final long HEAP_GROWTH_BOUND = 64L * 1024 * 1024;

    TestBroker broker;
    Roles.Collector collector;
    Roles.Collector lax;

    @BeforeAll
    void start(@TempDir Path dir) {
        broker = TestBroker.start(dir, 2);
        collector = Roles.collector(broker.config(dir, settings(Map.of())), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        // Negative control: limits four times the documented defaults, so the size cases must come out wrong.
        lax = Roles.collector(broker.config(dir, settings(Map.of("collector.maxRequestBytes", "4mb",
                        "collector.maxEventsPerRequest", "2000", "collector.maxEventBytes", "128kb",
                        "collector.maxInflateRatio", "2000"))),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** The documented defaults, with read and idle timeouts short so the slow-client cases take seconds. */
    private static Map<String, String> settings(Map<String, String> overrides) {
        Map<String, String> s = new HashMap<>(Map.of("collector.port", "0", "collector.host", "127.0.0.1",
                "collector.readTimeout", "1s", "collector.idleTimeout", "2s",
                "collector.allowedSites", "shop.test, www.shop.test"));
        s.putAll(overrides);
        return s;
    }

    @AfterAll
    void stop() {
        if (lax != null) {
            lax.close();
        }
        if (collector != null) {
            collector.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyHostileCaseGetsItsDocumentedAnswerAndNothingOfItIsStored() {
        CorpusRun corpus = new CorpusRun(collector.port(), "hz");
        assertTrue(corpus.healthy(), "healthy before the corpus");
        long heapBefore = usedHeapAfterGc();

        List<CorpusRun.CategoryResult> results = new ArrayList<>();
        for (Category category : Category.values()) {
            results.add(corpus.run(category));
        }
        long heapAfter = usedHeapAfterGc();
        System.out.print(CorpusRun.summary(results));
        CorpusRun.writeReport(results, Path.of("target", "hostile-corpus.txt"));
        System.out.printf("heap used after GC: before %d MB, after %d MB%n", heapBefore >> 20, heapAfter >> 20);

        int cases = results.stream().mapToInt(r -> r.results().size()).sum();
        assertTrue(cases >= 250, "the corpus holds at least 250 cases, has " + cases);
        List<CorpusRun.Result> failures = results.stream().flatMap(r -> r.failures().stream()).toList();
        assertEquals(List.of(), failures.stream().map(Object::toString).toList(), "cases without their documented answer");
        for (CorpusRun.CategoryResult r : results) {
            assertTrue(r.healthyAfter(), "the collector answers its health checks after " + r.category().label());
        }
        assertTrue(heapAfter - heapBefore < HEAP_GROWTH_BOUND,
                "heap grew " + ((heapAfter - heapBefore) >> 20) + " MB over the corpus");

        List<String> raw = TopicScan.values(broker.bootstrapServers(), KafkaConfig.RAW_TOPIC,
                Duration.ofSeconds(30));
        Map<String, Integer> wrong = CorpusRun.rawMismatches(results, raw);
        assertEquals(Map.of(), wrong, "cases whose records on footfall.raw differ from what was accepted");
        long accepted = results.stream().flatMap(r -> r.results().stream()).mapToLong(r -> r.verdict().rawRecords()).sum();
        System.out.printf("footfall.raw: %d records, %d of them from the %d accepted (valid but odd) cases' events; "
                + "none from a rejected case%n", raw.size(), accepted, results.stream().flatMap(r -> r.results().stream())
                .filter(r -> r.verdict().rawRecords() > 0).count());
    }

    /**
     * Negative control: the size cases against a collector whose limits are four times the documented ones.
     * The runner must report the cases whose documented 413 became something else, and the raw-topic
     * comparison must find the events that a correct collector would have refused.
     */
    @Test
    void aCollectorWithWrongLimitsIsCaught() {
        CorpusRun corpus = new CorpusRun(lax.port(), "hn");
        CorpusRun.CategoryResult sizes = corpus.run(Category.SIZES);
        System.out.print("negative control (limits x4):\n" + CorpusRun.summary(List.of(sizes)));
        assertFalse(sizes.failures().isEmpty(), "the runner must report the cases the lax limits answer differently");
        List<String> raw = TopicScan.values(broker.bootstrapServers(), KafkaConfig.RAW_TOPIC,
                Duration.ofSeconds(30));
        assertFalse(CorpusRun.rawMismatches(List.of(sizes), raw).isEmpty(),
                "the raw-topic check must see events of cases a correct collector refuses");
    }

    private static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
