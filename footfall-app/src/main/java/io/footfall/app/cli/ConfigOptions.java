package io.footfall.app.cli;

import io.footfall.core.config.ConfigFiles;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command shares: a config file and {@code --set key=value} overrides. */
public final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML (.yaml/.yml) or properties file")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override one setting, e.g. --set collector.maxEventsPerRequest=1000")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** Builds the typed configuration: flags over {@code --set} over environment over file over defaults. */
    public FootfallConfig load(Map<String, String> flags) {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        all.putAll(flags);
        Map<String, String> file = configFile == null ? Map.of() : ConfigFiles.read(configFile);
        FootfallConfig config = FootfallConfig.from(new Settings(all, System.getenv(), file));
        KafkaClientSettings.check(config.kafka().clientProperties());
        KafkaClientSettings.notes(config.kafka().clientProperties()).forEach(System.out::println);
        return config;
    }
}
