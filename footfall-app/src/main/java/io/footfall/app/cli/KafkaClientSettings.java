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

    private KafkaClientSettings() {
    }

    /** @throws ConfigException naming the first setting (in name order) that no Kafka client has */
    static void check(Map<String, String> clientProperties) {
        for (String name : new TreeSet<>(clientProperties.keySet())) {
            if (!known(name)) {
                throw new ConfigException("kafka.client." + name + ": not a setting of Kafka's producer, consumer, admin client "
                        + "or Streams (misspelt?); kafka.client.* settings are passed to Kafka as they are");
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
