package io.footfall.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short broker outage in distributed mode (broker, collector, enricher and loader each in its own JVM),
 * and its negative control.
 */
class BrokerOutageSuiteIT {

    @TempDir
    Path dir;

    @Test
    void brokerKilledUnderLoadGivesOnly202Or503AndStoresEveryAcknowledgedEventOnce() throws Exception {
        BrokerOutageSuite.Result result = BrokerOutageSuite.run(options("io.footfall.app.Main"), System.out);
        System.out.println(result.text());
        assertEquals(List.of(), result.failures(), result.text());
        assertTrue(result.tally().acknowledged() > 1_000, "the load ran: " + result.text());
        assertTrue(result.statuses().getOrDefault(503, 0L) > 0, "the outage was seen as 503s: " + result.text());
    }

    @Test
    void negativeControlTheSuiteReportsLossWhenTheCollectorAnswersBeforeTheAck() throws Exception {
        BrokerOutageSuite.Result result = BrokerOutageSuite.run(options(EarlyAckCollectorMain.class.getName()),
                new PrintStream(PrintStream.nullOutputStream()));
        System.out.println("negative control: " + result.text());
        assertTrue(result.tally().lost() > 0, "a collector answering 202 before the ack must be caught: " + result.text());
    }

    private BrokerOutageSuite.Options options(String collectorMain) {
        return new BrokerOutageSuite.Options(collectorMain, dir.resolve("cluster"), Duration.ofSeconds(8), true,
                Duration.ofSeconds(4), Duration.ofSeconds(3), 2, 2_000, Duration.ofSeconds(10));
    }
}
