package io.footfall.core.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** The whole typed configuration tree. Built once at start-up; a bad value fails there, naming its key. */
public record FootfallConfig(
        Path dataDir,
        KafkaConfig kafka,
        CollectorConfig collector,
        EnricherConfig enricher,
        LoaderConfig loader,
        QueryConfig query,
        Map<String, String> effective) {

    /**
     * Reads every section from the given settings and rejects keys that no section knows.
     *
     * @throws ConfigException naming the first bad key
     */
    public static FootfallConfig from(Settings s) {
        Path dataDir = Path.of(s.string("dataDir", "./data"));
        FootfallConfig config = new FootfallConfig(
                dataDir,
                KafkaConfig.from(s),
                CollectorConfig.from(s),
                EnricherConfig.from(s),
                LoaderConfig.from(s, dataDir),
                QueryConfig.from(s),
                s.effective());
        Set<String> unused = s.unusedKeys();
        if (!unused.isEmpty()) {
            throw new ConfigException(unused.iterator().next() + ": unknown configuration key");
        }
        return config;
    }

    public FootfallConfig withKafka(KafkaConfig newKafka) {
        return new FootfallConfig(dataDir, newKafka, collector, enricher, loader, query, effective);
    }
}
