package io.footfall.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.footfall.app.standalone.Standalone;
import io.footfall.app.testing.TestBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code footfall bench} reports what happened: every event sent is accounted for, freshness is measured. */
class BenchIT {

    @TempDir
    Path dir;

    @Test
    void aShortRunAccountsForEveryEventAndMeasuresFreshness() throws Exception {
        var config = TestBroker.baseConfig(dir.resolve("data"), Map.of("collector.port", "0", "query.port", "0",
                "kafka.partitions", "2"));
        try (Standalone standalone = new Standalone(config, new PrintStream(new ByteArrayOutputStream())).start()) {
            Bench.Plan plan = new Bench.Plan(URI.create("http://127.0.0.1:" + standalone.collectorPort()),
                    URI.create("http://127.0.0.1:" + standalone.queryPort()), standalone.bootstrapServers(),
                    2, 20, true, 400, Duration.ofSeconds(6), 2, 100, 20);
            Bench.BenchReportView view = Bench.run(plan, new PrintStream(new ByteArrayOutputStream()));
            BenchReport report = view.report();
            assertTrue(report.eventsSent() > 1_000, report.text());
            assertEquals(report.eventsSent(), report.eventsAccepted(), report.text());
            assertEquals(Map.of(202, report.eventsSent() / 20), report.statuses(), report.text());
            assertTrue(report.freshnessSamples() >= 1, "marker events became visible: " + report.text());
            assertTrue(report.freshnessP50Ms() >= 0, report.text());
            Path json = dir.resolve("report.json");
            view.writeJson(json);
            assertTrue(Files.readString(json).contains("\"events_accepted\":" + report.eventsAccepted()));
            // The machine was busy with the load and the pipeline: some share of its cores, never more than all.
            assertTrue(report.machineCpu() > 0 && report.machineCpu() <= 1, report.text());
            assertTrue(report.text().contains("this machine: CPU "), report.text());
            // The sites the run names as written to are the warehouse's sites, no more and no fewer.
            assertEquals(2 + 1, view.sites().size(), view.sites().toString());
            String sites = HttpClient.newHttpClient().send(HttpRequest.newBuilder(plan.query().resolve("/api/sites")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Set<String> stored = new HashSet<>();
            new ObjectMapper().readTree(sites).get("sites").forEach(site -> stored.add(site.asText()));
            assertEquals(Set.copyOf(view.sites()), stored, sites);

            // A warm-up sends the same load first and leaves it out of the report: 4 measured seconds at 400
            // events/s cannot account for the 3 warm-up seconds' events as well.
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            BenchReport warmed = Bench.run(new Bench.Plan(plan.collector(), plan.query(), plan.bootstrapServers(), 2, 20,
                    true, 400, Duration.ofSeconds(4), 2, 100, 20, Duration.ofSeconds(3)), new PrintStream(progress)).report();
            assertTrue(progress.toString().contains("[warm-up done]"), progress.toString());
            assertTrue(warmed.text().contains("measured after a 3 s warm-up"), warmed.text());
            assertEquals(warmed.eventsSent(), warmed.eventsAccepted(), warmed.text());
            assertTrue(warmed.eventsSent() > 0 && warmed.eventsSent() <= 400 * 5, warmed.text());
        }
    }
}
