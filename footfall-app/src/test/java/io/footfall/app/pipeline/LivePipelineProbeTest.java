package io.footfall.app.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LivePipelineProbeTest {

    private static final TopicPartition P0 = new TopicPartition("footfall.events", 0);
    private static final TopicPartition P1 = new TopicPartition("footfall.events", 1);

    @Test
    void aCaughtUpLoaderShowsNoLagForTheMarkersAfterItsLastRecord() {
        // Stored with the rows: one short of each end (the last transaction's commit marker); told: the ends.
        assertEquals(0, LivePipelineProbe.loaderLag(Map.of(P0, 100L, P1, 51L), Map.of(0, 99L, 1, 50L),
                Map.of(P0, new OffsetAndMetadata(100), P1, new OffsetAndMetadata(51))));
    }

    @Test
    void theStoredOffsetsCountWhenTheToldPositionIsNotThisWarehouses() {
        Map<Integer, Long> stored = Map.of(0, 10L, 1, 50L);
        // Nothing told yet: the stored offsets alone.
        assertEquals(90 + 1, LivePipelineProbe.loaderLag(Map.of(P0, 100L, P1, 51L), stored, Map.of()));
        // A position far past the stored offsets (a warehouse loaded again from the start) is not believed.
        assertEquals(90 + 0, LivePipelineProbe.loaderLag(Map.of(P0, 100L, P1, 51L), stored,
                Map.of(P0, new OffsetAndMetadata(100), P1, new OffsetAndMetadata(51))));
        // Nor one behind them.
        assertEquals(90 + 1, LivePipelineProbe.loaderLag(Map.of(P0, 100L, P1, 51L), stored,
                Map.of(P0, new OffsetAndMetadata(5), P1, new OffsetAndMetadata(40))));
    }
}
