package io.footfall.app.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads the footfall process's CPU and heap from its Prometheus {@code /metrics}. */
final class ProcessMetrics {

    private final URI metrics;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ProcessMetrics(URI metrics) {
        this.metrics = metrics;
    }

    /** (process CPU 0..1 of all cores, heap used bytes), or -1s when unreadable. */
    double[] sample() {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            double cpu = -1;
            double heap = 0;
            boolean sawHeap = false;
            for (String line : r.body().split("\n")) {
                if (line.startsWith("process_cpu_usage ")) {
                    cpu = Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
                } else if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
                    sawHeap = true;
                }
            }
            return new double[]{cpu, sawHeap ? heap : -1};
        } catch (Exception e) {
            return new double[]{-1, -1};
        }
    }
}
