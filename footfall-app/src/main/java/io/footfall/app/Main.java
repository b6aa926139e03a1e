package io.footfall.app;

import io.footfall.app.cli.BenchCommand;
import io.footfall.app.cli.ConfigCommand;
import io.footfall.app.cli.CrashSuiteCommand;
import io.footfall.app.cli.RoleCommands;
import io.footfall.app.cli.StandaloneCommand;
import io.footfall.app.standalone.Roles;
import io.footfall.core.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code footfall} command line. */
@Command(name = "footfall", mixinStandardHelpOptions = true, version = "footfall 0.1.0",
        description = "Self-hosted, real-time page-view analytics pipeline.",
        subcommands = {
                StandaloneCommand.class,
                RoleCommands.Collector.class,
                io.footfall.app.cli.CollectorBenchCommand.class,
                RoleCommands.Enricher.class,
                RoleCommands.Loader.class,
                RoleCommands.Server.class,
                io.footfall.app.cli.BrokerCommand.class,
                io.footfall.app.cli.ReplayCommand.class,
                io.footfall.app.cli.PromoteCommand.class,
                io.footfall.app.cli.DeleteCommand.class,
                io.footfall.app.cli.BackupCommand.class,
                io.footfall.app.cli.RestoreCommand.class,
                ConfigCommand.class,
                BenchCommand.class,
                CrashSuiteCommand.class,
                io.footfall.app.cli.OutageSuiteCommand.class,
                io.footfall.app.cli.TapCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code: 0 ok, 1 runtime failure, 2 bad usage or config. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("footfall: " + e.getMessage());
            System.err.println("footfall: see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                System.err.println("footfall: configuration error: " + e.getMessage());
                return 2;
            }
            if (e instanceof IllegalStateException) {
                System.err.println("footfall: cannot start: " + e.getMessage());
                return 1;
            }
            if (e instanceof java.sql.SQLException) {
                System.err.println("footfall: warehouse error: " + Roles.warehouseReason(e));
                return 1;
            }
            System.err.println("footfall: failed: " + e);
            return 1;
        });
        return cli.execute(args);
    }
}
