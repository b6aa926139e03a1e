package io.footfall.app.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplayProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void showsDoneOverTotalRateAndEtaRedrawnAtMostOnceASecond() {
        AtomicLong now = new AtomicLong(5 * SECOND);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ReplayProgress progress = new ReplayProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, now::get);
        progress.start(1_000_000);
        now.addAndGet(SECOND / 2);
        progress.update(50_000);
        assertEquals("", bytes.toString(StandardCharsets.UTF_8), "not redrawn within a second");
        now.addAndGet(SECOND * 3 / 2);
        progress.update(200_000);
        assertEquals("\rreplay: 200000/1000000 records (20.0%), 100000 rec/s, ETA 8 s   ",
                bytes.toString(StandardCharsets.UTF_8));
        now.addAndGet(8 * SECOND);
        progress.finish(1_000_000);
        assertEquals("\rreplay: 200000/1000000 records (20.0%), 100000 rec/s, ETA 8 s   "
                        + "\rreplay: 1000000/1000000 records (100.0%), 100000 rec/s, ETA 0 s   " + System.lineSeparator(),
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anEmptyRangeIsComplete() {
        ReplayProgress progress = new ReplayProgress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), () -> 0L);
        progress.start(0);
        assertEquals("replay: 0/0 records (100.0%), 0 rec/s, ETA 0 s", progress.line(0, 0));
    }

    @Test
    void outsideATerminalALineOfItsOwnEveryTenSeconds() {
        AtomicLong now = new AtomicLong(0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ReplayProgress progress = new ReplayProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, now::get);
        progress.start(1_000_000);
        for (int second = 1; second <= 25; second++) {
            now.addAndGet(SECOND);
            progress.update(second * 10_000L);
        }
        progress.finish(1_000_000);
        String n = System.lineSeparator();
        assertEquals("replay: 10000/1000000 records (1.0%), 10000 rec/s, ETA 99 s" + n
                + "replay: 110000/1000000 records (11.0%), 10000 rec/s, ETA 89 s" + n
                + "replay: 210000/1000000 records (21.0%), 10000 rec/s, ETA 79 s" + n
                + "replay: 1000000/1000000 records (100.0%), 40000 rec/s, ETA 0 s" + n, bytes.toString(StandardCharsets.UTF_8));
    }
}
