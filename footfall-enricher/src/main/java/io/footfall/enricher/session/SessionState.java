package io.footfall.enricher.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What the session store keeps per visitor.
 *
 * @param sessionId  the current session's id
 * @param lastSeenMs receive time of the visitor's latest event
 * @param seq        how many events the session has had
 * @param campaign   the UTM campaign the session started with, or null
 */
public record SessionState(String sessionId, long lastSeenMs, int seq, String campaign) {

    public byte[] toBytes() {
        byte[] id = sessionId.getBytes(StandardCharsets.UTF_8);
        byte[] c = campaign == null ? new byte[0] : campaign.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + id.length + 8 + 4 + 4 + c.length)
                .putInt(id.length).put(id).putLong(lastSeenMs).putInt(seq).putInt(campaign == null ? -1 : c.length).put(c)
                .array();
    }

    /** The last-seen time straight from the stored bytes, for the expiry scan. */
    public static long lastSeenMs(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return b.getLong(4 + b.getInt(0));
    }

    public static SessionState fromBytes(byte[] bytes) {
        return read(ByteBuffer.wrap(bytes));
    }

    /** Reads the encoding of {@link #toBytes} at the buffer's position, leaving it just after. */
    public static SessionState read(ByteBuffer b) {
        byte[] id = new byte[b.getInt()];
        b.get(id);
        long last = b.getLong();
        int seq = b.getInt();
        int cl = b.getInt();
        String campaign = null;
        if (cl >= 0) {
            byte[] c = new byte[cl];
            b.get(c);
            campaign = new String(c, StandardCharsets.UTF_8);
        }
        return new SessionState(new String(id, StandardCharsets.UTF_8), last, seq, campaign);
    }
}
