package io.footfall.loader.warehouse;

import io.footfall.core.event.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Stored events in PostgreSQL's {@code COPY ... FROM STDIN} text format: one line per row, columns
 * separated by tabs, {@code \N} for null, and backslash, tab, newline and carriage return escaped.
 * Columns follow {@link StoredEvent#COLUMNS}. Public so the loader benchmark's raw COPY reference encodes rows
 * exactly as the writer does.
 */
public final class CopyText {

    private final ByteArrayOutputStream out;
    private final StringBuilder line = new StringBuilder(1024);

    public CopyText(int expectedBytes) {
        this.out = new ByteArrayOutputStream(expectedBytes);
    }

    public void add(StoredEvent e) {
        line.setLength(0);
        text(e.eventId());
        text(e.site());
        text(e.type());
        text(e.name());
        timestamp(e.receivedAt());
        timestamp(e.clientTs());
        text(e.url());
        text(e.host());
        text(e.path());
        text(e.query());
        text(e.title());
        text(e.referrer());
        text(e.referrerHost());
        text(e.referrerType());
        text(e.utmSource());
        text(e.utmMedium());
        text(e.utmCampaign());
        text(e.utmTerm());
        text(e.utmContent());
        text(e.visitorId());
        text(e.sessionId());
        raw(Integer.toString(e.sessionSeq()));
        raw(e.isNewSession() ? "t" : "f");
        text(e.browser());
        text(e.browserVersion());
        text(e.os());
        text(e.osVersion());
        text(e.deviceType());
        raw(e.isBot() ? "t" : "f");
        text(e.country());
        text(e.region());
        text(e.city());
        text(e.screen());
        text(e.language());
        text(e.timezone());
        text(e.props());
        text(e.pipelineVersion());
        text(e.referrerSource());
        line.setCharAt(line.length() - 1, '\n');
        out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A row of plain values: String, Boolean, Long, Instant or null (a session part, for instance). */
    void addRow(Object[] values) {
        line.setLength(0);
        for (Object value : values) {
            if (value == null || value instanceof String) {
                text((String) value);
            } else if (value instanceof Boolean flag) {
                raw(flag ? "t" : "f");
            } else {
                raw(value.toString());
            }
        }
        line.setCharAt(line.length() - 1, '\n');
        out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    /** Whether {@code value} holds none of the characters COPY's text format escapes (the common case). */
    private static boolean plain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                return false;
            }
        }
        return true;
    }

    private void raw(String value) {
        line.append(value).append('\t');
    }

    /** Last millisecond of year 9999: up to there a timestamp is written by hand, the same instant as ISO-8601. */
    private static final long LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999L;

    private void timestamp(Long epochMs) {
        if (epochMs == null) {
            line.append("\\N\t");
        } else if (epochMs < 0 || epochMs > LAST_FOUR_DIGIT_YEAR_MS) {
            raw(Instant.ofEpochMilli(epochMs).toString());
        } else {
            // yyyy-MM-ddTHH:mm:ss.SSSZ without Instant.toString's formatter: a third of a row's text time.
            long ms = epochMs;
            LocalDate day = LocalDate.ofEpochDay(ms / 86_400_000L);
            int ofDay = (int) (ms % 86_400_000L);
            digits(day.getYear(), 4).append('-');
            digits(day.getMonthValue(), 2).append('-');
            digits(day.getDayOfMonth(), 2).append('T');
            digits(ofDay / 3_600_000, 2).append(':');
            digits(ofDay / 60_000 % 60, 2).append(':');
            digits(ofDay / 1_000 % 60, 2).append('.');
            digits(ofDay % 1_000, 3).append("Z\t");
        }
    }

    private StringBuilder digits(int value, int width) {
        for (int unit = width == 4 ? 1000 : width == 3 ? 100 : 10; unit > 0; unit /= 10) {
            line.append((char) ('0' + value / unit % 10));
        }
        return line;
    }

    private void text(String value) {
        if (value == null) {
            line.append("\\N\t");
            return;
        }
        if (plain(value)) {
            line.append(value).append('\t');
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\t' -> line.append("\\t");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                default -> line.append(c);
            }
        }
        line.append('\t');
    }
}
