package io.footfall.loader.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.core.event.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The rows the PostgreSQL writer streams to {@code COPY … FROM STDIN}: escapes, nulls and timestamps. */
class CopyTextTest {

    @Test
    void escapesWhatCopyTextFormatEscapesAndWritesNullsAsBackslashN() {
        CopyText copy = new CopyText(1024);
        copy.add(SampleEvents.at(7, 1_700_000_000_123L));
        String row = new String(copy.bytes(), StandardCharsets.UTF_8);
        String[] columns = row.substring(0, row.length() - 1).split("\t", -1);

        assertEquals('\n', row.charAt(row.length() - 1), "one line per row");
        assertEquals(StoredEvent.COLUMNS.size(), columns.length, row);
        assertEquals("Page\\t7 \"quoted\" \\\\ back\\nslash", columns[StoredEvent.COLUMNS.indexOf("title")]);
        assertEquals("\\N", columns[StoredEvent.COLUMNS.indexOf("name")]);
        assertEquals("\\N", columns[StoredEvent.COLUMNS.indexOf("utm_term")]);
        assertEquals("https://example.com/p/7?a=1", columns[StoredEvent.COLUMNS.indexOf("url")]);
        assertEquals("2023-11-14T22:13:20.123Z", columns[StoredEvent.COLUMNS.indexOf("received_at")]);
        assertEquals("f", columns[StoredEvent.COLUMNS.indexOf("is_new_session")], "seed 7 continues its session");
    }

    @Test
    void everyTimestampIsTheSameInstantAsIso8601() {
        SplittableRandom random = new SplittableRandom(3);
        List<Long> edges = List.of(0L, 1L, 999L, 86_399_999L, 86_400_000L, 951_782_400_000L /* 2000-02-29 */,
                4_107_542_399_999L /* 2100-02-28T23:59:59.999 */, 253_402_300_799_999L /* 9999-12-31T23:59:59.999 */,
                253_402_300_800_000L /* year 10000: Instant.toString */, -1L, -86_400_001L);
        for (int i = 0; i < 100_000 + edges.size(); i++) {
            long ms = i < edges.size() ? edges.get(i) : random.nextLong(-5_000_000_000_000L, 300_000_000_000_000L);
            CopyText copy = new CopyText(1024);
            copy.add(SampleEvents.at(1, ms));
            String row = new String(copy.bytes(), StandardCharsets.UTF_8);
            String written = row.split("\t", -1)[StoredEvent.COLUMNS.indexOf("received_at")];
            assertEquals(Instant.ofEpochMilli(ms), Instant.parse(written), "epoch ms " + ms + " written as " + written);
        }
    }
}
