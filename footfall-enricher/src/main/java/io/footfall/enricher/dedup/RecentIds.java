package io.footfall.enricher.dedup;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The event ids one visitor sent within the dedup window, kept in the visitor's own state record: a 64-bit
 * hash of each id and the minute it was received. A visitor's next event reads that record anyway (for its
 * session), so checking an id here costs no state access of its own, where a store keyed by event id cost two
 * reads and a changelogged write per event.
 *
 * <p>At most {@code capacity} ids are kept; beyond that the oldest one is handed back to be kept elsewhere
 * (see {@link Deduplicator}), and the list remembers until when it has handed ids off. Ids older than the
 * window are dropped whenever an id is added.
 */
public final class RecentIds {

    /** Bytes one id takes in {@link #write}: its hash and its receive minute. */
    static final int ID_BYTES = Long.BYTES + Integer.BYTES;

    private long[] hashes;
    private int[] minutes;
    private int size;
    /** Receive minute up to which ids of this visitor may be found only where the overflow went; 0 if never. */
    private int spilledUntilMinute;

    public RecentIds() {
        this(new long[4], new int[4], 0, 0);
    }

    private RecentIds(long[] hashes, int[] minutes, int size, int spilledUntilMinute) {
        this.hashes = hashes;
        this.minutes = minutes;
        this.size = size;
        this.spilledUntilMinute = spilledUntilMinute;
    }

    /** An id that no longer fits: its hash and the minute it was received. */
    public record Evicted(long hash, long timeMs) {
    }

    /**
     * A 64-bit hash of an event id (FNV-1a over its characters, then a final avalanche). Ids are compared
     * within one visitor only, a few dozen at a time, so 64 bits make a false "seen" vanishingly unlikely.
     */
    public static long hash(String eventId) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < eventId.length(); i++) {
            h = (h ^ eventId.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /** The key an evicted id is kept under elsewhere. */
    public static String key(long hash) {
        return Long.toHexString(hash);
    }

    /** Whether the id was received within {@code windowMs} of {@code timeMs} (to the minute). */
    public boolean contains(long hash, long timeMs, long windowMs) {
        int minute = minute(timeMs);
        long windowMinutes = windowMs / 60_000;
        for (int i = 0; i < size; i++) {
            if (hashes[i] == hash && Math.abs((long) minute - minutes[i]) <= windowMinutes) {
                return true;
            }
        }
        return false;
    }

    /** Whether ids of this visitor received around {@code timeMs} may have been handed off. */
    public boolean spilledAt(long timeMs) {
        return minute(timeMs) <= spilledUntilMinute;
    }

    /**
     * Adds an id, drops the ids older than the window, and hands back the oldest one if more than
     * {@code capacity} remain.
     *
     * @return the id to keep elsewhere, or null
     */
    public Evicted add(long hash, long timeMs, long windowMs, int capacity) {
        int minute = minute(timeMs);
        long windowMinutes = windowMs / 60_000;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if ((long) minute - minutes[i] <= windowMinutes) {
                hashes[kept] = hashes[i];
                minutes[kept] = minutes[i];
                kept++;
            }
        }
        size = kept;
        if (size == hashes.length) {
            hashes = Arrays.copyOf(hashes, size * 2);
            minutes = Arrays.copyOf(minutes, size * 2);
        }
        hashes[size] = hash;
        minutes[size] = minute;
        size++;
        if (size <= capacity) {
            return null;
        }
        int oldest = 0;
        for (int i = 1; i < size; i++) {
            if (minutes[i] < minutes[oldest]) {
                oldest = i;
            }
        }
        Evicted evicted = new Evicted(hashes[oldest], minutes[oldest] * 60_000L);
        hashes[oldest] = hashes[size - 1];
        minutes[oldest] = minutes[size - 1];
        size--;
        spilledUntilMinute = (int) Math.max(spilledUntilMinute, evicted.timeMs() / 60_000 + windowMinutes);
        return evicted;
    }

    public int size() {
        return size;
    }

    /** Bytes {@link #write} takes. */
    public int byteSize() {
        return Integer.BYTES + Short.BYTES + size * ID_BYTES;
    }

    public void write(ByteBuffer out) {
        out.putInt(spilledUntilMinute).putShort((short) size);
        for (int i = 0; i < size; i++) {
            out.putLong(hashes[i]).putInt(minutes[i]);
        }
    }

    public static RecentIds read(ByteBuffer in) {
        int spilledUntil = in.getInt();
        int n = Short.toUnsignedInt(in.getShort());
        long[] hashes = new long[Math.max(4, n + 1)];
        int[] minutes = new int[hashes.length];
        for (int i = 0; i < n; i++) {
            hashes[i] = in.getLong();
            minutes[i] = in.getInt();
        }
        return new RecentIds(hashes, minutes, n, spilledUntil);
    }

    private static int minute(long timeMs) {
        return (int) Math.floorDiv(timeMs, 60_000L);
    }
}
