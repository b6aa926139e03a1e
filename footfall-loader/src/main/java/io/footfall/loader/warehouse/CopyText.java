package io.footfall.loader.warehouse;

import io.footfall.core.event.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

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

    private void raw(String value) {
        line.append(value).append('\t');
    }

    private void timestamp(Long epochMs) {
        if (epochMs == null) {
            line.append("\\N\t");
        } else {
            raw(Instant.ofEpochMilli(epochMs).toString());
        }
    }

    private void text(String value) {
        if (value == null) {
            line.append("\\N\t");
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
