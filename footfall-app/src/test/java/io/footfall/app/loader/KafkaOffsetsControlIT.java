package io.footfall.app.loader;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.testing.TestBroker;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The negative control of {@link ExactlyOnceDuckDbIT}: the same kills against a loader that commits its
 * offsets to Kafka instead of in the warehouse transaction. It must lose events (the primary key still
 * removes duplicates, so loss is what shows).
 */
class KafkaOffsetsControlIT {

    @TempDir
    Path dir;

    @Test
    void committingOffsetsToKafkaLosesEventsUnderTheSameKills() throws Exception {
        Path file = dir.resolve("control.duckdb");
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), 3)) {
            KillHarness.fill(broker);
            KillHarness.killFiveTimesThenDrain(broker, "kafka-offsets", "duckdb", file.toString(), dir);
        }
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file)) {
            Set<String> stored = ExactlyOnceDuckDbIT.storedIds(warehouse);
            Set<String> expected = KillHarness.expectedIds();
            assertTrue(expected.containsAll(stored));
            System.out.printf("control: %d of %d unique events lost%n", expected.size() - stored.size(), expected.size());
            assertTrue(stored.size() < expected.size(), "the control must lose events, stored " + stored.size());
        }
    }
}
