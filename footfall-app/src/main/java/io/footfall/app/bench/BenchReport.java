package io.footfall.app.bench;

import io.footfall.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The end-of-run figures of {@code footfall bench}, printed and optionally written as JSON. */
record BenchReport(
        String collector,
        int connections,
        int batchSize,
        boolean gzip,
        double targetRate,
        double warmupSeconds,
        double seconds,
        long eventsSent,
        long eventsAccepted,
        Map<Integer, Long> statuses,
        long transportErrors,
        long freshnessP50Ms,
        long freshnessP95Ms,
        long freshnessP99Ms,
        int freshnessSamples,
        Map<String, Long> finalLag,
        Map<String, Long> maxLag,
        double avgCpu,
        double maxHeapMb,
        double machineCpu) {

    double acceptedPerSecond() {
        return eventsAccepted / seconds;
    }

    String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "footfall bench: %s, %d connections, batches of %d%s, %s%s%n", collector,
                connections, batchSize, gzip ? " (gzip)" : "", targetRate > 0 ? "target " + (long) targetRate + " events/s" : "max rate",
                warmupSeconds > 0 ? String.format(Locale.ROOT, ", measured after a %.0f s warm-up", warmupSeconds) : ""));
        out.append(String.format(Locale.ROOT, "  sustained accepted:  %,.0f events/s over %.0f s (%,d accepted of %,d sent)%n",
                acceptedPerSecond(), seconds, eventsAccepted, eventsSent));
        out.append(String.format(Locale.ROOT, "  responses by status: %s, transport errors %d%n", statuses, transportErrors));
        if (freshnessSamples > 0) {
            out.append(String.format(Locale.ROOT, "  freshness (202 → visible in the query API): p50 %d ms, p95 %d ms, p99 %d ms (%d markers)%n",
                    freshnessP50Ms, freshnessP95Ms, freshnessP99Ms, freshnessSamples));
        } else {
            out.append("  freshness (202 → visible in the query API): none measured (no marker event was accepted and seen)\n");
        }
        out.append(String.format(Locale.ROOT, "  consumer lag at end: %s, max during run: %s%n", finalLag, maxLag));
        out.append(String.format(Locale.ROOT, "  footfall process (the one behind the query API): average CPU %.0f%% of all"
                + " cores, max heap used %.0f MB%n", avgCpu * 100, maxHeapMb));
        if (machineCpu >= 0) {
            out.append(String.format(Locale.ROOT, "  this machine: CPU %.0f%% of all cores (every process on it, a local"
                    + " PostgreSQL's included)%n", machineCpu * 100));
        }
        return out.toString();
    }

    void writeJson(Path file) throws IOException {
        Files.write(file, Json.toBytes(g -> {
            g.writeStartObject();
            g.writeStringField("collector", collector);
            g.writeNumberField("connections", connections);
            g.writeNumberField("batch_size", batchSize);
            g.writeBooleanField("gzip", gzip);
            g.writeNumberField("target_rate", targetRate);
            g.writeNumberField("warmup_seconds", warmupSeconds);
            g.writeNumberField("seconds", seconds);
            g.writeNumberField("events_sent", eventsSent);
            g.writeNumberField("events_accepted", eventsAccepted);
            g.writeNumberField("accepted_per_second", acceptedPerSecond());
            g.writeObjectFieldStart("statuses");
            for (Map.Entry<Integer, Long> e : statuses.entrySet()) {
                g.writeNumberField(Integer.toString(e.getKey()), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("transport_errors", transportErrors);
            g.writeObjectFieldStart("freshness_ms");
            g.writeNumberField("p50", freshnessP50Ms);
            g.writeNumberField("p95", freshnessP95Ms);
            g.writeNumberField("p99", freshnessP99Ms);
            g.writeNumberField("samples", freshnessSamples);
            g.writeEndObject();
            writeMap(g, "final_lag", finalLag);
            writeMap(g, "max_lag", maxLag);
            g.writeNumberField("avg_cpu", avgCpu);
            g.writeNumberField("max_heap_mb", maxHeapMb);
            g.writeNumberField("machine_cpu", machineCpu);
            g.writeEndObject();
        }));
    }

    private static void writeMap(com.fasterxml.jackson.core.JsonGenerator g, String name, Map<String, Long> map) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> e : map.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
