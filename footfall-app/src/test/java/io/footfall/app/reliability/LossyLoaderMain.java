package io.footfall.app.reliability;

import io.footfall.app.cli.RoleCommands;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * Test-only fault injection: {@code footfall loader} that commits the consumed offsets of every second batch
 * without its rows ({@link LossyStandaloneMain#lossy}). The distributed crash suite run against it must report
 * lost events; nothing of this ships in the product.
 */
public final class LossyLoaderMain {

    private LossyLoaderMain() {
    }

    /** Takes the arguments of {@code io.footfall.app.Main loader ...}; the first one ("loader") is dropped. */
    public static void main(String[] args) {
        String[] loaderArgs = Arrays.copyOfRange(args, 1, args.length);
        System.exit(new CommandLine(new RoleCommands.Loader(LossyStandaloneMain::lossy)).execute(loaderArgs));
    }
}
