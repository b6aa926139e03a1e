package io.footfall.enricher.session;

import java.time.Duration;
import java.util.UUID;

/**
 * Decides, for one visitor's next event, whether it continues the current session: a session ends after
 * {@code timeout} of inactivity or when the visitor arrives with a different UTM campaign.
 */
public final class Sessionizer {

    private final long timeoutMs;

    public Sessionizer(Duration timeout) {
        this.timeoutMs = timeout.toMillis();
    }

    /**
     * @param previous the visitor's state, or null for a first event
     * @param eventMs  receive time of the event
     * @param campaign the event's utm_campaign, or null
     * @return the visitor's new state; {@code seq == 1} means the event opened a session
     */
    public SessionState next(SessionState previous, long eventMs, String campaign) {
        if (!continues(previous, eventMs, campaign)) {
            return new SessionState(UUID.randomUUID().toString(), eventMs, 1, campaign);
        }
        return new SessionState(previous.sessionId(), Math.max(eventMs, previous.lastSeenMs()), previous.seq() + 1,
                previous.campaign());
    }

    /** Whether an event at {@code eventMs} is within the timeout of the session's latest one (false for null). */
    public boolean active(SessionState session, long eventMs) {
        return session != null && eventMs - session.lastSeenMs() < timeoutMs;
    }

    /** Whether the event continues the session: it is {@link #active} and the event names no other campaign. */
    public boolean continues(SessionState session, long eventMs, String campaign) {
        return active(session, eventMs) && (campaign == null || campaign.equals(session.campaign()));
    }
}
