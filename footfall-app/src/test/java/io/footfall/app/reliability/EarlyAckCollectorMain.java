package io.footfall.app.reliability;

import io.footfall.app.cli.RoleCommands;
import io.footfall.app.testing.AcknowledgesEarlySink;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * Test-only fault injection: {@code footfall collector} whose sink answers 202 before the broker's
 * acknowledgement. The broker outage suite run against it must report lost events; nothing of this ships
 * in the product.
 */
public final class EarlyAckCollectorMain {

    private EarlyAckCollectorMain() {
    }

    /** Takes the arguments of {@code io.footfall.app.Main collector ...}; the first one ("collector") is dropped. */
    public static void main(String[] args) {
        String[] collectorArgs = Arrays.copyOfRange(args, 1, args.length);
        System.exit(new CommandLine(new RoleCommands.Collector(AcknowledgesEarlySink::new)).execute(collectorArgs));
    }
}
