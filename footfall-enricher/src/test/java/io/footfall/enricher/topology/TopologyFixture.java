package io.footfall.enricher.topology;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.core.config.Settings;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.event.VisitorKey;
import io.footfall.core.json.BadEventJson;
import io.footfall.core.json.RawEventJson;
import io.footfall.core.json.StoredEventJson;
import io.footfall.enricher.MutableClock;
import io.footfall.enricher.pipeline.EnricherResources;
import io.footfall.enricher.pipeline.StepTimings;
import io.footfall.enricher.useragent.UserAgentParser;
import io.footfall.enricher.useragent.YauaaParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;

/** A {@link TopologyTestDriver} over the enricher topology with a clock the test moves. */
final class TopologyFixture implements AutoCloseable {

    final MutableClock clock;
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> raw;
    final TestOutputTopic<byte[], byte[]> events;
    final TestOutputTopic<byte[], byte[]> bad;
    final EnricherResources resources;

    TopologyFixture(Map<String, String> settings, Instant start) {
        this(settings, start, YauaaParser.shared());
    }

    TopologyFixture(Map<String, String> settings, Instant start, UserAgentParser yauaa) {
        this.clock = new MutableClock(start);
        EnricherConfig config = EnricherConfig.from(Settings.of(settings));
        this.resources = EnricherResources.create(config, yauaa, StepTimings.OFF);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "enricher-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailProcessingExceptionHandler.class);
        // A state directory of its own: the default (/tmp/kafka-streams/<application id>) is shared by every test
        // run on the machine, and RocksDB's lock makes two runs at once fail each other.
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir().toString());
        this.driver = new TopologyTestDriver(EnricherTopology.buildTopology(config, clock, resources), p, start);
        this.raw = driver.createInputTopic(KafkaConfig.RAW_TOPIC, Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer());
        this.events = driver.createOutputTopic(KafkaConfig.EVENTS_TOPIC, Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer());
        this.bad = driver.createOutputTopic(KafkaConfig.BAD_TOPIC, Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer());
    }

    /** Sends the event as the collector would: keyed by visitor, at its receive time; the clock follows. */
    void send(RawEvent e) {
        clock.set(Instant.ofEpochMilli(e.receivedAt()));
        raw.pipeInput(VisitorKey.of(e), RawEventJson.encode(e), Instant.ofEpochMilli(e.receivedAt()));
    }

    void sendRaw(byte[] value) {
        raw.pipeInput(new byte[8], value, clock.instant());
    }

    List<StoredEvent> storedEvents() {
        return events.readValuesToList().stream().map(TopologyFixture::stored).toList();
    }

    StoredEvent onlyStored() {
        List<StoredEvent> out = storedEvents();
        if (out.size() != 1) {
            throw new AssertionError("expected one stored event, got " + out.size() + "; bad: " + badEvents());
        }
        return out.get(0);
    }

    List<BadEvent> badEvents() {
        return bad.readValuesToList().stream().map(v -> {
            try {
                return BadEventJson.decode(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    static StoredEvent stored(byte[] v) {
        try {
            return StoredEventJson.decode(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The driver's close deletes what it wrote under it. */
    private static java.nio.file.Path stateDir() {
        try {
            return java.nio.file.Files.createTempDirectory("enricher-test-state");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.close();
    }
}
