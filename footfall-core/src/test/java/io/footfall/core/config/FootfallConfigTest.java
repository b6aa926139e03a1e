package io.footfall.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration: defaults, precedence, file formats, and a message naming the key for every bad value. */
class FootfallConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsFollowTheDesign() {
        FootfallConfig c = FootfallConfig.from(Settings.of(Map.of()));
        assertEquals(Path.of("./data"), c.dataDir());
        assertEquals(8080, c.collector().port());
        assertEquals(32 * 1024, c.collector().maxEventBytes());
        assertEquals(500, c.collector().maxEventsPerRequest());
        assertEquals(1024 * 1024, c.collector().maxRequestBytes());
        assertEquals(64L * 1024 * 1024, c.collector().maxInflightBytes());
        assertEquals("127.0.0.1", c.query().host());
        assertEquals(8081, c.query().port());
        assertEquals(6, c.kafka().partitions());
        assertTrue(c.kafka().embedded());
        assertEquals(Duration.ofDays(7), c.kafka().rawRetention());
        assertEquals(Duration.ofMinutes(30), c.enricher().sessionTimeout());
        assertEquals("duckdb", c.loader().warehouse());
        assertEquals(Path.of("./data/footfall.duckdb"), c.loader().duckdbPath());
        assertEquals(10_000, c.loader().batchEvents());
        assertEquals(Duration.ofMillis(250), c.loader().batchDelay());
        assertEquals(100_000, c.loader().catchUpEvents());
        assertEquals(64L * 1024 * 1024, c.loader().catchUpBytes());
    }

    @Test
    void flagsBeatEnvironmentBeatsFileBeatsDefault() {
        Map<String, String> file = Map.of("collector.port", "1001", "query.port", "2001", "kafka.partitions", "3");
        Map<String, String> env = Map.of("FOOTFALL_COLLECTOR_PORT", "1002", "FOOTFALL_QUERY_PORT", "2002");
        Map<String, String> flags = Map.of("collector.port", "1003");
        FootfallConfig c = FootfallConfig.from(new Settings(flags, env, file));
        assertEquals(1003, c.collector().port());
        assertEquals(2002, c.query().port());
        assertEquals(3, c.kafka().partitions());
    }

    @Test
    void environmentNamesAreUpperSnakeCase() {
        assertEquals("FOOTFALL_COLLECTOR_MAX_EVENT_BYTES", Settings.envName("collector.maxEventBytes"));
        assertEquals("FOOTFALL_DATA_DIR", Settings.envName("dataDir"));
    }

    @Test
    void yamlFileIsFlattenedToDottedKeys() throws Exception {
        Path yaml = dir.resolve("footfall.yaml");
        Files.writeString(yaml, """
                dataDir: /var/lib/footfall
                collector:
                  port: 9090
                  maxRequestBytes: 2mb
                kafka:
                  bootstrapServers: k1:9092,k2:9092
                  client:
                    security.protocol: SSL
                loader:
                  batchDelay: 750ms
                """);
        FootfallConfig c = FootfallConfig.from(new Settings(Map.of(), Map.of(), ConfigFiles.read(yaml)));
        assertEquals(9090, c.collector().port());
        assertEquals(2 * 1024 * 1024, c.collector().maxRequestBytes());
        assertEquals("k1:9092,k2:9092", c.kafka().bootstrapServers());
        assertEquals(Map.of("security.protocol", "SSL"), c.kafka().clientProperties());
        assertEquals(Duration.ofMillis(750), c.loader().batchDelay());
        assertEquals(Path.of("/var/lib/footfall/footfall.duckdb"), c.loader().duckdbPath());
    }

    @Test
    void catchUpLimitsAreNeverBelowTheNormalBatchLimits() {
        FootfallConfig c = FootfallConfig.from(Settings.of(Map.of("loader.batchEvents", "200000",
                "loader.batchBytes", "100MB", "loader.catchUpEvents", "5000")));
        assertEquals(200_000, c.loader().catchUpEvents());
        assertEquals(100L * 1024 * 1024, c.loader().catchUpBytes());
    }

    @Test
    void postgresGetsTwoWritersByDefaultAndDuckDbOne() {
        assertEquals(1, FootfallConfig.from(Settings.of(Map.of())).loader().writers());
        assertEquals(2, FootfallConfig.from(Settings.of(Map.of("loader.warehouse", "postgres",
                "loader.jdbcUrl", "jdbc:postgresql://127.0.0.1:5432/test"))).loader().writers());
        assertEquals(4, FootfallConfig.from(Settings.of(Map.of("loader.warehouse", "postgres",
                "loader.jdbcUrl", "jdbc:postgresql://127.0.0.1:5432/test", "loader.writers", "4"))).loader().writers());
    }

    @Test
    void moreThanOneDuckDbWriterIsRefusedAtStart() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> FootfallConfig.from(Settings.of(Map.of("loader.writers", "2"))));
        assertTrue(e.getMessage().startsWith("loader.writers: DuckDB takes one writer at a time"), e.getMessage());
        ConfigException zero = assertThrows(ConfigException.class, () -> FootfallConfig.from(Settings.of(Map.of(
                "loader.warehouse", "postgres", "loader.jdbcUrl", "jdbc:postgresql://h/db", "loader.writers", "0"))));
        assertEquals("loader.writers: must be between 1 and 64, got 0", zero.getMessage());
    }

    @Test
    void retentionKeepsEverythingByDefaultAndIsAtLeastADay() {
        assertEquals(java.time.Duration.ZERO, FootfallConfig.from(Settings.of(Map.of())).loader().retention());
        assertEquals(java.time.Duration.ZERO, FootfallConfig.from(Settings.of(Map.of("loader.retention", "0"))).loader().retention());
        assertEquals(java.time.Duration.ofDays(400),
                FootfallConfig.from(Settings.of(Map.of("loader.retention", "400d"))).loader().retention());
        assertEquals(java.time.Duration.ofHours(24),
                FootfallConfig.from(Settings.of(Map.of("loader.retention", "24h"))).loader().retention());
        ConfigException shortOne = assertThrows(ConfigException.class,
                () -> FootfallConfig.from(Settings.of(Map.of("loader.retention", "12h"))));
        assertEquals("loader.retention: must be 0 (keep every event) or at least 1d, got 12h", shortOne.getMessage());
        ConfigException negative = assertThrows(ConfigException.class,
                () -> FootfallConfig.from(Settings.of(Map.of("loader.retention", "-1d"))));
        assertTrue(negative.getMessage().startsWith("loader.retention: must be a duration"), negative.getMessage());
    }

    @Test
    void catchUpBatchesAreOffByDefaultOnPostgres() {
        FootfallConfig c = FootfallConfig.from(Settings.of(Map.of("loader.warehouse", "postgres",
                "loader.jdbcUrl", "jdbc:postgresql://127.0.0.1:5432/test")));
        assertEquals(c.loader().batchEvents(), c.loader().catchUpEvents());
        assertEquals(c.loader().batchBytes(), c.loader().catchUpBytes());
    }

    @Test
    void duckdbCheckpointsEvery16MbOfLogUnlessSetAndABadSizeNamesItsKey() {
        assertEquals(16L * 1024 * 1024, FootfallConfig.from(Settings.of(Map.of())).loader().duckdbCheckpointBytes());
        assertEquals(256L * 1024 * 1024, FootfallConfig.from(Settings.of(Map.of("loader.duckdbCheckpointBytes", "256MB")))
                .loader().duckdbCheckpointBytes());
        ConfigException e = assertThrows(ConfigException.class,
                () -> FootfallConfig.from(Settings.of(Map.of("loader.duckdbCheckpointBytes", "64 parsecs"))));
        assertTrue(e.getMessage().startsWith("loader.duckdbCheckpointBytes"), e.getMessage());
        assertThrows(ConfigException.class,
                () -> FootfallConfig.from(Settings.of(Map.of("loader.duckdbCheckpointBytes", "100"))), "below 1 MB");
    }

    @Test
    void duckdbMemoryIsAQuarterOfTheMachineAtLeast2GbUnlessSetAndAnAbsurdBoundNamesItsKey() {
        long total = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        assertEquals(Math.max(2L * 1024 * 1024 * 1024, total / 4), FootfallConfig.from(Settings.of(Map.of())).loader().duckdbMemoryBytes(),
                "a quarter of the machine's " + total + " bytes, at least 2 GB");
        assertEquals(512L * 1024 * 1024, FootfallConfig.from(Settings.of(Map.of("loader.duckdbMemory", "512MB")))
                .loader().duckdbMemoryBytes());
        ConfigException e = assertThrows(ConfigException.class,
                () -> FootfallConfig.from(Settings.of(Map.of("loader.duckdbMemory", "256MB"))), "below 512 MB");
        assertTrue(e.getMessage().startsWith("loader.duckdbMemory"), e.getMessage());
    }

    @Test
    void propertiesFileWorksToo() throws Exception {
        Path props = dir.resolve("footfall.properties");
        Files.writeString(props, "collector.port=7070\nenricher.sessionTimeout=45m\n");
        FootfallConfig c = FootfallConfig.from(new Settings(Map.of(), Map.of(), ConfigFiles.read(props)));
        assertEquals(7070, c.collector().port());
        assertEquals(Duration.ofMinutes(45), c.enricher().sessionTimeout());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "collector.port|http|collector.port: must be a whole number, got 'http'",
            "collector.port|70000|collector.port: must be between 0 and 65535, got 70000",
            "kafka.partitions|0|kafka.partitions: must be between 1 and 1024, got 0",
            "collector.maxRequestBytes|lots|collector.maxRequestBytes: must be a size such as 1048576, 512kb or 64mb, got 'lots'",
            "collector.maxInflightBytes|10|collector.maxInflightBytes: must be between 1048576 and 4294967296 bytes, got 10",
            "enricher.sessionTimeout|forever|enricher.sessionTimeout: must be a duration such as 500ms, 10s, 30m or 24h, got 'forever'",
            "enricher.sessionTimeout|10s|enricher.sessionTimeout: must be between 1m and 1d, got '10s'",
            "loader.warehouse|oracle|loader.warehouse: must be one of [duckdb, postgres], got 'oracle'",
            "loader.schema|Robert'); DROP|loader.schema: must match [a-z_][a-z0-9_]{0,62}, got 'Robert'); DROP'",
            "collector.prot|8080|collector.prot: unknown configuration key",
            "collector.tlsCertificate|/etc/ssl/x.pem|collector.tlsKey: must be set too, since collector.tlsCertificate is (both: HTTPS; neither: plain HTTP)",
            "collector.tlsKey|/etc/ssl/x.key|collector.tlsCertificate: must be set too, since collector.tlsKey is (both: HTTPS; neither: plain HTTP)",
    })
    void eachBadValueFailsWithAMessageNamingTheKey(String key, String value, String message) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> FootfallConfig.from(Settings.of(Map.of(key, value))));
        assertEquals(message, e.getMessage());
    }

    @Test
    void postgresNeedsAJdbcUrl() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> FootfallConfig.from(Settings.of(Map.of("loader.warehouse", "postgres"))));
        assertTrue(e.getMessage().startsWith("loader.jdbcUrl: must be a jdbc:postgresql: URL"), e.getMessage());
    }

    /** A key written without a value is unset, but its name is checked; an empty section is fine. */
    @Test
    void emptyKeysAreUnsetButMisspeltOnesAreStillRefused() throws Exception {
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "kafka:\n  client:\n  partitions:\ncollector:\n  port: 9090\nloader:\n");
        FootfallConfig ok = FootfallConfig.from(new Settings(Map.of(), Map.of(), ConfigFiles.read(empty)));
        assertEquals(6, ok.kafka().partitions(), "an empty key keeps its default");
        assertEquals(9090, ok.collector().port());
        assertEquals(Map.of(), ok.kafka().clientProperties());

        Path misspelt = dir.resolve("misspelt.yaml");
        Files.writeString(misspelt, "collector:\n  prot:\n  port: 9090\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> FootfallConfig.from(new Settings(Map.of(), Map.of(), ConfigFiles.read(misspelt))));
        assertEquals("collector.prot: unknown configuration key", e.getMessage());
    }

    @Test
    void missingAndBrokenFilesAreOneLineErrors() throws Exception {
        ConfigException missing = assertThrows(ConfigException.class, () -> ConfigFiles.read(dir.resolve("nope.yaml")));
        assertTrue(missing.getMessage().endsWith("nope.yaml: does not exist"), missing.getMessage());
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "collector: [unclosed\n");
        ConfigException bad = assertThrows(ConfigException.class, () -> ConfigFiles.read(broken));
        assertEquals("config file " + broken + ", line 1 column 21: cannot be read as YAML: while parsing a flow sequence, "
                + "expected ',' or ']', but got <stream end>", bad.getMessage());
        assertTrue(!bad.getMessage().contains("\n"), "one line: " + bad.getMessage());
        // Where the file goes wrong, as an editor counts lines.
        Path indented = dir.resolve("indented.yaml");
        Files.writeString(indented, "kafka:\n  partitions: 3\n   replicationFactor: 1\n");
        ConfigException misplaced = assertThrows(ConfigException.class, () -> ConfigFiles.read(indented));
        assertEquals("config file " + indented + ", line 3 column 21: cannot be read as YAML: mapping values are not allowed here", misplaced.getMessage());
        // A section or key given twice is refused: the second would silently replace the first.
        Path twice = dir.resolve("twice.yaml");
        Files.writeString(twice, "collector:\n  port: 8080\nkafka:\n  partitions: 3\ncollector:\n  maxEventBytes: 16KB\n");
        ConfigException duplicate = assertThrows(ConfigException.class, () -> ConfigFiles.read(twice));
        assertEquals("config file " + twice + ", line 5 column 10: Duplicate field 'collector'", duplicate.getMessage());
    }

    @Test
    void tlsFilesMustExist() {
        ConfigException e = assertThrows(ConfigException.class, () -> FootfallConfig.from(Settings.of(Map.of(
                "collector.tlsCertificate", "/nonexistent/fullchain.pem", "collector.tlsKey", "/nonexistent/privkey.pem"))));
        assertEquals("collector.tlsCertificate: /nonexistent/fullchain.pem does not exist or cannot be read", e.getMessage());
    }

    @Test
    void secretsAreMaskedInTheEffectiveConfiguration() {
        FootfallConfig c = FootfallConfig.from(Settings.of(Map.of("loader.password", "hunter2",
                "kafka.client.sasl.jaas.config", "secret-module")));
        assertEquals("******", c.effective().get("loader.password"));
        assertEquals("******", c.effective().get("kafka.client.sasl.jaas.config"));
        assertEquals("8080", c.effective().get("collector.port"));
        assertEquals("", FootfallConfig.from(Settings.of(Map.of())).effective().get("loader.password"), "unset shows unset");
    }

    @Test
    void durationsPrintAsTheyAreWritten() {
        Map<String, String> effective = FootfallConfig.from(Settings.of(Map.of("kafka.rawRetention", "14d"))).effective();
        assertEquals("14d", effective.get("kafka.rawRetention"));
        assertEquals("30s", effective.get("collector.deliveryTimeout"));
        assertEquals("250ms", effective.get("loader.batchDelay"));
    }

    @Test
    void aPasswordInsideAUrlIsMaskedToo() {
        FootfallConfig c = FootfallConfig.from(Settings.of(Map.of("loader.warehouse", "postgres",
                "loader.jdbcUrl", "jdbc:postgresql://db:5432/footfall?user=footfall&password=hunter2&ssl=true")));
        assertEquals("jdbc:postgresql://db:5432/footfall?user=footfall&password=******&ssl=true",
                c.effective().get("loader.jdbcUrl"));
        assertEquals("postgresql://footfall:******@db/footfall", Settings.maskUrlSecrets("postgresql://footfall:hunter2@db/footfall"));
        assertEquals("jdbc:x://db/f;PASSWORD=******;a=b", Settings.maskUrlSecrets("jdbc:x://db/f;PASSWORD=x;a=b"));
        assertEquals("jdbc:postgresql://127.0.0.1:5432/test", Settings.maskUrlSecrets("jdbc:postgresql://127.0.0.1:5432/test"),
                "host:port is not user:password");
    }
}
