package io.footfall.loader.warehouse;

import io.footfall.core.event.StoredEvent;
import java.sql.SQLException;
import java.util.UUID;
import org.duckdb.DuckDBAppender;

/**
 * One stored event as a DuckDB Appender row, columns in {@link StoredEvent#COLUMNS} order. Public so the
 * loader benchmark's raw Appender reference appends rows exactly as the writer does.
 */
public final class AppenderRows {

    private AppenderRows() {
    }

    public static void append(DuckDBAppender a, StoredEvent e) throws SQLException {
        a.beginRow();
        a.append(UUID.fromString(e.eventId()));
        a.append(e.site());
        a.append(e.type());
        a.append(e.name());
        a.appendEpochMicros(e.receivedAt() * 1000);
        if (e.clientTs() == null) {
            a.appendNull();
        } else {
            a.appendEpochMicros(e.clientTs() * 1000);
        }
        a.append(e.url());
        a.append(e.host());
        a.append(e.path());
        a.append(e.query());
        a.append(e.title());
        a.append(e.referrer());
        a.append(e.referrerHost());
        a.append(e.referrerType());
        a.append(e.utmSource());
        a.append(e.utmMedium());
        a.append(e.utmCampaign());
        a.append(e.utmTerm());
        a.append(e.utmContent());
        a.append(e.visitorId());
        a.append(e.sessionId());
        a.append(e.sessionSeq());
        a.append(e.isNewSession());
        a.append(e.browser());
        a.append(e.browserVersion());
        a.append(e.os());
        a.append(e.osVersion());
        a.append(e.deviceType());
        a.append(e.isBot());
        a.append(e.country());
        a.append(e.region());
        a.append(e.city());
        a.append(e.screen());
        a.append(e.language());
        a.append(e.timezone());
        a.append(e.props());
        a.append(e.pipelineVersion());
        a.append(e.referrerSource());
        a.endRow();
    }
}
