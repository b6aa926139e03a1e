package io.footfall.app.cli;

import io.footfall.core.config.ConfigException;
import io.footfall.core.config.FootfallConfig;
import io.footfall.core.config.KafkaConfig;
import io.footfall.query.tap.TapFilter;
import io.footfall.query.tap.TapRecord;
import io.footfall.query.tap.TapStream;
import io.footfall.query.tap.TapTopic;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code footfall tap}: live records of one topic, one line each, coloured by type. It reads with its own
 * group-less consumer from the end of the topic, so it never moves the pipeline's offsets.
 */
@Command(name = "tap", mixinStandardHelpOptions = true,
        description = "Print live events from the stream, one per line (Ctrl-C stops). Never shows client IPs.")
public final class TapCommand implements Callable<Integer> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final String RESET = "\u001b[0m";

    @Mixin
    ConfigOptions options;

    @Option(names = "--topic", paramLabel = "raw|events|bad", description = "which stream (default events)")
    String topic = "events";

    @Option(names = "--site", paramLabel = "SITE", description = "only this site")
    String site;

    @Option(names = "--grep", paramLabel = "TEXT", description = "only records whose JSON contains TEXT (case-insensitive)")
    String grep;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (default kafka.bootstrapServers)")
    String bootstrap;

    @Option(names = "--json", description = "print each record's JSON instead of a summary line")
    boolean json;

    @Option(names = "--no-color", description = "no ANSI colours (default: colours when writing to a terminal)")
    boolean noColor;

    @Override
    public Integer call() {
        FootfallConfig config = options.load(bootstrap == null ? Map.of() : Map.of("kafka.bootstrapServers", bootstrap));
        KafkaConfig kafka = config.kafka();
        if (kafka.embedded()) {
            throw new ConfigException("kafka.bootstrapServers: is required (or --bootstrap host:port); "
                    + "standalone prints its broker address at start");
        }
        TapTopic tapTopic = TapTopic.fromWire(topic);
        if (tapTopic == null) {
            throw new ConfigException("--topic: must be one of raw, events, bad; got '" + topic + "'");
        }
        boolean color = !noColor && System.console() != null;
        PrintStream out = System.out;
        TapStream stream = new TapStream(kafka, tapTopic, new TapFilter(site, grep), Clock.systemUTC());
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stream.stop();
            try {
                finished.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "footfall-tap-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stream.startAtEnd();
            System.err.println("footfall: tapping " + tapTopic.topic() + " at " + kafka.bootstrapServers()
                    + (site == null ? "" : " site=" + site) + (grep == null ? "" : " grep=" + grep) + " (Ctrl-C stops)");
            stream.run(new TapStream.Sink() {
                @Override
                public void record(TapRecord r) {
                    out.println(json ? r.json() : line(r, color));
                }

                @Override
                public void heartbeat() {
                    out.flush();
                }

                @Override
                public void skipped(long records) {
                    out.println(paint(color, "33", "... skipped " + records + " records to stay live ..."));
                }
            });
            return 0;
        } catch (java.io.IOException e) {
            return 0;
        } finally {
            stream.close();
            finished.countDown();
            out.flush();
        }
    }

    static String line(TapRecord r, boolean color) {
        String code = switch (r.kind()) {
            case "pageview" -> "32";
            case "event" -> "36";
            case "bad" -> "31";
            default -> "37";
        };
        return TIME.format(Instant.ofEpochMilli(r.timestampMs())) + "  " + paint(color, code, String.format("%-8s", r.kind()))
                + "  " + (r.site() == null ? "-" : r.site()) + "  " + (r.summary() == null ? "" : r.summary());
    }

    static String paint(boolean color, String code, String text) {
        return color ? "\u001b[" + code + "m" + text + RESET : text;
    }
}
