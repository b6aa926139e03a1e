package io.footfall.app.cli;

import io.footfall.core.config.ConfigException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Checks the names of the {@code kafka.client.*} settings, which footfall passes to Kafka's clients as they are:
 * Kafka only warns of a name it does not know, so a misspelt {@code kafka.client.securty.protocol} would
 * leave a deployment in plain text without a word. A name is a setting of Kafka's producer, consumer, admin
 * client or Streams, or one of those under a Streams prefix ({@code main.consumer.}, {@code producer.}, ...;
 * {@code topic.} settings are the broker's and pass unchecked).
 */
final class KafkaClientSettings {

    private static final Set<String> NAMES = new HashSet<>();
    private static final List<String> PREFIXES = List.of(StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX,
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.CONSUMER_PREFIX, StreamsConfig.PRODUCER_PREFIX,
            StreamsConfig.ADMIN_CLIENT_PREFIX);

    static {
        NAMES.addAll(ProducerConfig.configNames());
        NAMES.addAll(ConsumerConfig.configNames());
        NAMES.addAll(AdminClientConfig.configNames());
        NAMES.addAll(StreamsConfig.configDef().names());
    }

    /**
     * Settings footfall gives its own clients whatever {@code kafka.client.*} says (what its guarantees or its own
     * settings need), with what decides them instead: a value given for one of these does not reach those clients.
     */
    static final Map<String, String> FOOTFALL_SETS = new java.util.TreeMap<>(Map.ofEntries(
            Map.entry("acks", "all: no 202 and no enriched event before every in-sync replica has it"),
            Map.entry("enable.idempotence", "on: exactly once"),
            Map.entry("isolation.level", "read_committed: exactly once"),
            Map.entry("processing.guarantee", "exactly_once_v2"),
            Map.entry("enable.auto.commit", "off: the loader's offsets are in the warehouse"),
            Map.entry("auto.offset.reset", "each reader's own: the loader positions itself from the warehouse"),
            Map.entry("group.id", "loader.groupId"),
            Map.entry("application.id", "enricher.applicationId"),
            Map.entry("bootstrap.servers", "kafka.bootstrapServers"),
            Map.entry("linger.ms", "collector.lingerTime for the collector"),
            Map.entry("delivery.timeout.ms", "collector.deliveryTimeout for the collector"),
            Map.entry("max.block.ms", "0 for the collector: a full buffer is a 503, never a wait"),
            Map.entry("max.poll.records", "the loader's: loader.batchEvents, at most 5,000"),
            Map.entry("num.stream.threads", "enricher.threads"),
            Map.entry("commit.interval.ms", "enricher.commitInterval"),
            Map.entry("state.dir", "dataDir"),
            Map.entry("replication.factor", "kafka.replicationFactor")));

    private KafkaClientSettings() {
    }

    /** One line for each given setting that footfall sets itself on the clients it matters to. */
    static List<String> notes(Map<String, String> clientProperties) {
        List<String> notes = new java.util.ArrayList<>();
        for (String name : new TreeSet<>(clientProperties.keySet())) {
            String base = unprefixed(name);
            if (FOOTFALL_SETS.containsKey(base)) {
                notes.add("footfall: note: kafka.client." + name + " is not used where footfall sets " + base + " itself ("
                        + FOOTFALL_SETS.get(base) + ")");
            }
        }
        return notes;
    }

    private static String unprefixed(String name) {
        for (String prefix : PREFIXES) {
            if (name.startsWith(prefix)) {
                return name.substring(prefix.length());
            }
        }
        return name;
    }

    /**
     * A value Kafka's own definition of the setting refuses ({@code linger.ms=abc}): every client that takes it would
     * refuse it at creation, but footfall gives some settings its own value, and a client made later (a rebalance, a
     * command run once) would fail long after the start.
     */
    private static String badValue(String name, String value) {
        String base = unprefixed(name);
        for (org.apache.kafka.common.config.ConfigDef def : List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
                AdminClientConfig.configDef(), StreamsConfig.configDef())) {
            org.apache.kafka.common.config.ConfigDef.ConfigKey key = def.configKeys().get(base);
            if (key == null) {
                continue;
            }
            try {
                Object parsed = org.apache.kafka.common.config.ConfigDef.parseType(base, value, key.type);
                if (key.validator != null) {
                    key.validator.ensureValid(base, parsed);
                }
            } catch (org.apache.kafka.common.config.ConfigException e) {
                return e.getMessage();
            }
        }
        return null;
    }

    /** @throws ConfigException naming the first setting (in name order) that no Kafka client has */
    static void check(Map<String, String> clientProperties) {
        for (String name : new TreeSet<>(clientProperties.keySet())) {
            if (!known(name)) {
                throw new ConfigException("kafka.client." + name + ": not a setting of Kafka's producer, consumer, admin client "
                        + "or Streams (misspelt?); kafka.client.* settings are passed to Kafka as they are");
            }
            String value = clientProperties.get(name);
            // A config provider's placeholder (${env:T}) is resolved by Kafka itself: only its result could be judged.
            String bad = value.contains("${") ? null : badValue(name, value);
            if (bad != null) {
                throw new ConfigException("kafka.client." + name + ": " + bad);
            }
        }
    }

    static boolean known(String name) {
        if (NAMES.contains(name) || name.startsWith(StreamsConfig.TOPIC_PREFIX)) {
            return true;
        }
        for (String prefix : PREFIXES) {
            if (name.startsWith(prefix) && NAMES.contains(name.substring(prefix.length()))) {
                return true;
            }
        }
        return false;
    }
}
