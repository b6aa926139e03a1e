package io.footfall.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The suites read the collector's heap and the loader's lag from /metrics pages like this one. */
class PrometheusTextTest {

    private static final PrometheusText PAGE = new PrometheusText("""
            # HELP jvm_memory_used_bytes The amount of used memory
            # TYPE jvm_memory_used_bytes gauge
            jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 2.097152E7
            jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 1.048576E7
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
            jvm_memory_max_bytes{area="heap",id="G1 Eden Space"} -1.0
            jvm_memory_max_bytes{area="heap",id="G1 Old Gen"} 2.68435456E8
            footfall_loader_lag_records{partition="0"} 120.0
            footfall_loader_lag_records{partition="1"} 30.0
            footfall_loader_lag_records_extra 999
            """);

    @Test
    void sumsTheSamplesOfOneNameWhoseLabelsMatch() {
        assertEquals(3.145728E7, PAGE.sum("jvm_memory_used_bytes", l -> l.contains("area=\"heap\"")));
        assertEquals(150, PAGE.sum("footfall_loader_lag_records", l -> true), "a longer name with the same prefix is another metric");
        assertEquals(0, PAGE.sum("absent_metric", l -> true));
    }

    @Test
    void maxSkipsTheUnboundedPoolsOfG1() {
        assertEquals(268_435_456, PAGE.max("jvm_memory_max_bytes", l -> l.contains("area=\"heap\"")));
        assertEquals(-1, PAGE.max("absent_metric", l -> true));
    }
}
