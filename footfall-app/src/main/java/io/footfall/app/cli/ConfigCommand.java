package io.footfall.app.cli;

import io.footfall.core.config.FootfallConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "config", mixinStandardHelpOptions = true, description = "Configuration tools.",
        subcommands = ConfigCommand.Print.class)
public final class ConfigCommand {

    @Command(name = "print", mixinStandardHelpOptions = true,
            description = "Print the effective configuration (file, environment, --set), secrets masked.")
    public static final class Print implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() {
            FootfallConfig config = options.load(Map.of());
            config.effective().forEach((k, v) -> System.out.println(k + " = " + v));
            return 0;
        }
    }
}
