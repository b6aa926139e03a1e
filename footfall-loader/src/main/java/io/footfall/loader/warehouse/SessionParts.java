package io.footfall.loader.warehouse;

import io.footfall.core.event.StoredEvent;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.SessionRollup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * A batch of new events folded per session in Java, exactly as {@link SessionRollup}'s SQL folds them: the
 * writers' fast path, when every event of the batch is new, sends these rows (about one per session instead of
 * one per event) to the rollup's upsert instead of staging the events a second time.
 * {@code SessionRollupIT} checks that both folds give the same rollup.
 */
final class SessionParts {

    /** The first event's values, in {@link SessionRollup#FIRST_EVENT_COLUMNS} order. */
    static final List<Function<StoredEvent, String>> FIRST_EVENT_VALUES = List.of(StoredEvent::referrerHost,
            StoredEvent::referrerType, StoredEvent::utmSource, StoredEvent::utmMedium, StoredEvent::utmCampaign,
            StoredEvent::country, StoredEvent::region, StoredEvent::city, StoredEvent::browser, StoredEvent::os,
            StoredEvent::deviceType, StoredEvent::screen, StoredEvent::language, StoredEvent::referrerSource);

    static {
        if (FIRST_EVENT_VALUES.size() != SessionRollup.FIRST_EVENT_COLUMNS.size()) {
            throw new IllegalStateException("SessionParts and SessionRollup disagree on the first-event columns");
        }
    }

    /** One session's part of a batch; times in epoch milliseconds. */
    static final class Part {
        final String site;
        final String sessionKey;
        final boolean sessionless;
        String visitorId;
        boolean bot;
        long firstAt;
        long lastAt;
        long firstKey;
        long pageviews;
        long events;
        String entryPath;
        Long entryKey;
        String exitPath;
        Long exitKey;
        StoredEvent first;
        /**
         * The part holds its session's opening event (or is a sessionless event): no row of the rollup can
         * hold it yet, so the writers append it as a new row ({@link #rollupRow}) without looking for one (a row
         * that is there after all, from events stored out of order, fails the append on the key and the batch
         * goes the staging path instead).
         */
        boolean opens;

        Part(String site, String sessionKey, boolean sessionless) {
            this.site = site;
            this.sessionKey = sessionKey;
            this.sessionless = sessionless;
        }

        /** The values in {@link SessionRollup#partColumns()} order: String, Boolean, Long or null. */
        Object[] row() {
            return withFirstEvent(site, sessionKey, sessionless, visitorId, bot, firstAt, lastAt, firstKey, pageviews,
                    events, entryPath, entryKey, exitPath, exitKey);
        }

        /**
         * The part as a whole new row of the rollup, values in {@link SessionRollup#columns()} order (String,
         * Boolean, Long, Instant or null): what {@link SessionRollup#upsertParts} would insert for it, the
         * visitor key worked out as {@code dialect} does.
         */
        Object[] rollupRow(Dialect dialect) {
            Long key = visitorId == null ? null : dialect.visitorKeyOf(visitorId);
            return withFirstEvent(site, sessionKey, sessionless, visitorId, key, bot, Instant.ofEpochMilli(firstAt),
                    Instant.ofEpochMilli(lastAt), firstKey, pageviews, events, entryPath, entryKey, exitPath, exitKey);
        }

        private Object[] withFirstEvent(Object... head) {
            Object[] row = Arrays.copyOf(head, head.length + FIRST_EVENT_VALUES.size());
            for (int i = 0; i < FIRST_EVENT_VALUES.size(); i++) {
                row[head.length + i] = FIRST_EVENT_VALUES.get(i).apply(first);
            }
            return row;
        }
    }

    private SessionParts() {
    }

    /** The ordering key of {@code Dialect.orderKey}: epoch µs × 1000 + seq (received_at has ms precision). */
    static long orderKey(StoredEvent e) {
        return e.receivedAt() * 1_000_000L + e.sessionSeq();
    }

    /** A session within a site: the map key of {@link #fold}, hashed from the two strings' cached hashes. */
    private record SiteSession(String site, String sessionKey) {
    }

    static List<Part> fold(List<StoredEvent> batch) {
        Map<SiteSession, Part> parts = new LinkedHashMap<>();
        for (StoredEvent e : batch) {
            boolean sessionless = e.sessionId() == null;
            String key = sessionless ? "event:" + UUID.fromString(e.eventId()) : e.sessionId();
            SiteSession siteSession = new SiteSession(e.site(), key);
            Part p = parts.get(siteSession);
            long k = orderKey(e);
            if (p == null) {
                p = new Part(e.site(), key, sessionless);
                p.visitorId = e.visitorId();
                p.firstAt = e.receivedAt();
                p.lastAt = e.receivedAt();
                p.firstKey = k;
                p.first = e;
                parts.put(siteSession, p);
            } else {
                if (e.visitorId() != null && (p.visitorId == null || e.visitorId().compareTo(p.visitorId) < 0)) {
                    p.visitorId = e.visitorId();
                }
                p.firstAt = Math.min(p.firstAt, e.receivedAt());
                p.lastAt = Math.max(p.lastAt, e.receivedAt());
                if (k < p.firstKey) {
                    p.firstKey = k;
                    p.first = e;
                }
            }
            p.bot |= e.isBot();
            p.opens |= sessionless || e.isNewSession();
            if ("pageview".equals(e.type())) {
                p.pageviews++;
                if (p.entryKey == null || k < p.entryKey) {
                    p.entryKey = k;
                    p.entryPath = e.path();
                }
                if (p.exitKey == null || k > p.exitKey) {
                    p.exitKey = k;
                    p.exitPath = e.path();
                }
            } else if ("event".equals(e.type())) {
                p.events++;
            }
        }
        return new ArrayList<>(parts.values());
    }
}
