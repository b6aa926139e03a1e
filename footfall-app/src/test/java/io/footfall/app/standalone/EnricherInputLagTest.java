package io.footfall.app.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

/** The enricher's lag gauge: the main consumers' per-partition lag on footfall.raw, NaN left out, nothing else. */
class EnricherInputLagTest {

    private static MetricName name(String metric, String client, String topic, String partition) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("client-id", client);
        if (topic != null) {
            tags.put("topic", topic);
        }
        if (partition != null) {
            tags.put("partition", partition);
        }
        return new MetricName(metric, "consumer-fetch-manager-metrics", "", tags);
    }

    private static Metric value(MetricName name, double v) {
        return new Metric() {
            @Override
            public MetricName metricName() {
                return name;
            }

            @Override
            public Object metricValue() {
                return v;
            }
        };
    }

    @Test
    void sumsTheMainConsumersLagOnTheRawTopicsPartitions() {
        String main = "footfall-enricher-1-StreamThread-1-consumer";
        Map<MetricName, Metric> metrics = new HashMap<>();
        for (Object[] m : new Object[][] {
                {name("records-lag", main, "footfall.raw", "0"), 120.0},
                {name("records-lag", main, "footfall.raw", "1"), 30.0},
                {name("records-lag", main, "footfall.raw", "2"), Double.NaN},          // not fetched yet
                {name("records-lag", "footfall-enricher-1-StreamThread-2-consumer", "footfall.raw", "3"), 5.0},
                {name("records-lag", main.replace("-consumer", "-restore-consumer"), "footfall.raw", "0"), 1000.0},
                {name("records-lag", main, "footfall_raw", "0"), 120.0},              // the same, tag rewritten
                {name("records-lag", main, "footfall-enricher-1-dedup-changelog", "0"), 7.0},
                {name("records-lag-max", main, "footfall.raw", "0"), 500.0},
                {name("records-lag-max", main, null, null), 500.0}}) {
            MetricName n = (MetricName) m[0];
            metrics.put(n, value(n, (double) m[1]));
        }
        assertEquals(155.0, EnricherAdmin.inputLag(metrics));
    }
}
