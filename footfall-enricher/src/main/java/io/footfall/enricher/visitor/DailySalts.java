package io.footfall.enricher.visitor;

import io.footfall.enricher.pipeline.PipelineState;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * The secret salts of cookieless visitor ids: one random 256-bit salt per calendar day of the salt zone
 * (UTC by default), made on first use, so ids rotate at that zone's midnight. A salt is destroyed once the
 * day after its own has ended (it lives at most 48 hours, and serves late events of its day for 24 hours
 * after); without it nobody, the operator included, can recompute an id from an IP and link a visitor
 * across days.
 *
 * <p>Which day an event belongs to is its receive time, not the processing time, so a replay of old raw
 * data gets old days, whose salts are gone: it makes fresh ones, and the replayed ids cannot be linked to
 * the originals either.
 *
 * <p>The previous day's salt is only ever read ({@link #previousSaltFor}): a session that crosses midnight is
 * found under the id its client had yesterday while that salt lives, and never through a salt made afresh.
 */
public final class DailySalts {

    public static final int SALT_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ZoneId zone;
    /** The last day asked for, its [start, end) in epoch ms and its salt: nearly every event hits it. */
    private long memoStartMs = Long.MAX_VALUE;
    private long memoEndMs = Long.MIN_VALUE;
    private String memoDay;
    private byte[] memoSalt;
    /** The day before the memo's, and its salt once read (null: gone, or never made). */
    private String memoPreviousDay;
    private boolean memoPreviousRead;
    private byte[] memoPreviousSalt;

    public DailySalts(ZoneId zone) {
        this.zone = zone;
    }

    /** The salt of the day {@code eventMs} falls on, made and stored if it does not exist yet. */
    public byte[] saltFor(long eventMs, PipelineState.Store salts) {
        if (eventMs >= memoStartMs && eventMs < memoEndMs) {
            return memoSalt;
        }
        LocalDate date = LocalDate.ofInstant(Instant.ofEpochMilli(eventMs), zone);
        String day = date.toString();
        byte[] salt = salts.get(day);
        if (salt == null) {
            salt = new byte[SALT_BYTES];
            RANDOM.nextBytes(salt);
            salts.put(day, salt);
        }
        memoDay = day;
        memoSalt = salt;
        memoPreviousDay = date.minusDays(1).toString();
        memoPreviousRead = false;
        memoPreviousSalt = null;
        memoStartMs = date.atStartOfDay(zone).toInstant().toEpochMilli();
        memoEndMs = date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        return salt;
    }

    /**
     * The salt of the day before the one {@code eventMs} falls on, or null when it was destroyed or never made;
     * never makes one. Reads the store once per day: only this object makes salts in it, and a host that replaces
     * the store calls {@link #forget}.
     */
    public byte[] previousSaltFor(long eventMs, PipelineState.Store salts) {
        if (eventMs < memoStartMs || eventMs >= memoEndMs) {
            return salts.get(LocalDate.ofInstant(Instant.ofEpochMilli(eventMs), zone).minusDays(1).toString());
        }
        if (!memoPreviousRead) {
            memoPreviousSalt = salts.get(memoPreviousDay);
            memoPreviousRead = true;
        }
        return memoPreviousSalt;
    }

    /**
     * Forgets the remembered salt, so the next event reads the store. Hosts call it whenever the store may
     * have changed under the pipeline (a Streams task re-initialised after an aborted transaction).
     */
    public void forget() {
        memoStartMs = Long.MAX_VALUE;
        memoEndMs = Long.MIN_VALUE;
        memoDay = null;
        memoSalt = null;
        memoPreviousDay = null;
        memoPreviousRead = false;
        memoPreviousSalt = null;
    }

    /** Deletes the salts of days before yesterday (relative to {@code nowMs}). @return how many */
    public int destroyOld(long nowMs, PipelineState.Store salts) {
        String oldestKept = LocalDate.ofInstant(Instant.ofEpochMilli(nowMs), zone).minusDays(1).toString();
        if (memoDay != null && memoDay.compareTo(oldestKept) < 0) {
            forget();
        } else if (memoPreviousDay != null && memoPreviousDay.compareTo(oldestKept) < 0) {
            memoPreviousRead = true;
            memoPreviousSalt = null;
        }
        // ISO dates compare as text in date order.
        return salts.deleteIf((day, salt) -> day.compareTo(oldestKept) < 0);
    }

    /** The store key of a day: ISO {@code yyyy-MM-dd} in the salt zone. */
    public String dayOf(long epochMs) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(epochMs), zone).toString();
    }
}
