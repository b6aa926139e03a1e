package io.footfall.enricher.pipeline;

import io.footfall.enricher.dedup.RecentIds;
import io.footfall.enricher.session.SessionState;
import java.nio.ByteBuffer;

/**
 * What the visitor store keeps per (site, visitor id): the time of the visitor's latest event, the current
 * session (when sessions are on) and the event ids of the dedup window (when dedup is on). One read and one
 * write per event serve both steps.
 *
 * <p>Bytes: version {@code 1}, last-seen time, the session in {@link SessionState}'s own encoding (or length
 * −1), then {@link RecentIds}. A record written before ids were kept here is a bare {@link SessionState},
 * whose first byte is always 0 (the high byte of a short id's length); it reads as a visitor without ids.
 */
public final class VisitorRecord {

    private static final byte VERSION = 1;

    private final long lastSeenMs;
    private final SessionState session;
    private final RecentIds ids;

    private VisitorRecord(long lastSeenMs, SessionState session, RecentIds ids) {
        this.lastSeenMs = lastSeenMs;
        this.session = session;
        this.ids = ids;
    }

    /** @param bytes a stored record, or null for a visitor not seen (or forgotten) */
    public static VisitorRecord read(byte[] bytes) {
        if (bytes == null) {
            return new VisitorRecord(Long.MIN_VALUE, null, new RecentIds());
        }
        if (bytes[0] != VERSION) {
            SessionState legacy = SessionState.fromBytes(bytes);
            return new VisitorRecord(legacy.lastSeenMs(), legacy, new RecentIds());
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.get();
        long lastSeen = in.getLong();
        // The session's length (or -1) is written for readers that skip it; this one reads the session in place.
        SessionState session = in.getInt() < 0 ? null : SessionState.read(in);
        return new VisitorRecord(lastSeen, session, RecentIds.read(in));
    }

    /** The latest event's receive time straight from the stored bytes, for the expiry scan. */
    public static long lastSeenMs(byte[] bytes) {
        return bytes[0] != VERSION ? SessionState.lastSeenMs(bytes) : ByteBuffer.wrap(bytes).getLong(1);
    }

    /** The visitor after an event received at {@code eventMs}, with its session (null when sessions are off). */
    public VisitorRecord next(long eventMs, SessionState nextSession) {
        return new VisitorRecord(Math.max(lastSeenMs, eventMs), nextSession, ids);
    }

    public byte[] toBytes() {
        byte[] s = session == null ? null : session.toBytes();
        ByteBuffer out = ByteBuffer.allocate(1 + Long.BYTES + Integer.BYTES + (s == null ? 0 : s.length) + ids.byteSize());
        out.put(VERSION).putLong(lastSeenMs);
        if (s == null) {
            out.putInt(-1);
        } else {
            out.putInt(s.length).put(s);
        }
        ids.write(out);
        return out.array();
    }

    /** The current session, or null for a visitor without one. */
    public SessionState session() {
        return session;
    }

    /** The ids of the dedup window; mutable, written back with the record. */
    public RecentIds ids() {
        return ids;
    }
}
