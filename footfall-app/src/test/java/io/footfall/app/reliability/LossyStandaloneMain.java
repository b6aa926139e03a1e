package io.footfall.app.reliability;

import io.footfall.app.cli.StandaloneCommand;
import io.footfall.app.testing.ForwardingWarehouseWriter;
import io.footfall.core.event.StoredEvent;
import io.footfall.loader.warehouse.OffsetCommit;
import io.footfall.loader.warehouse.WarehouseWriter;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * Test-only fault injection: standalone whose loader commits the consumed offsets of every second batch
 * without its rows — what happens when offsets are committed before the rows and the process dies in
 * between. The crash suite run against it must report lost events; nothing of this ships in the product.
 */
public final class LossyStandaloneMain {

    private LossyStandaloneMain() {
    }

    public static void main(String[] args) {
        String[] standaloneArgs = Arrays.copyOfRange(args, 1, args.length);
        System.exit(new CommandLine(new StandaloneCommand(LossyStandaloneMain::lossy)).execute(standaloneArgs));
    }

    static WarehouseWriter lossy(WarehouseWriter real) {
        return new ForwardingWarehouseWriter(real) {
            private int batches;

            @Override
            public long write(List<StoredEvent> events, String topic, List<OffsetCommit> offsets) throws SQLException {
                return delegate.write(++batches % 2 == 0 ? List.of() : events, topic, offsets);
            }
        };
    }
}
