package io.footfall.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    private static final long SECOND = 1_000_000_000L;
    private static final String N = System.lineSeparator();

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong();

    private ProgressLine line(boolean terminal) {
        return new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), terminal, now::get);
    }

    private String written() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalEveryUpdateIsRedrawnInPlace() {
        ProgressLine progress = line(true);
        progress.show("[1s] 100 ev/s");
        progress.show("[2s] 90 ev/s");
        progress.end();
        progress.last("[done]");
        progress.end();
        assertEquals("\r[1s] 100 ev/s   \r[2s] 90 ev/s   " + N + "\r[done]   " + N, written());
    }

    @Test
    void inALogEachUpdateIsALineAndAtMostOneEveryTenSeconds() {
        ProgressLine progress = line(false);
        for (int second = 1; second <= 21; second++) {
            progress.show("[" + second + "s]");
            now.addAndGet(SECOND);
        }
        progress.end();
        assertEquals("[1s]" + N + "[11s]" + N + "[21s]" + N, written(), "no carriage return, nothing in between");
    }

    @Test
    void inALogAStepsLastLineIsAlwaysWrittenAndTheNextStepStartsAtOnce() {
        ProgressLine progress = line(false);
        progress.show("[warm-up 1s]");
        now.addAndGet(SECOND);
        progress.show("[warm-up 2s]");
        progress.last("[warm-up done]");
        now.addAndGet(SECOND);
        progress.show("[1s]");
        assertEquals("[warm-up 1s]" + N + "[warm-up done]" + N + "[1s]" + N, written());
    }
}
