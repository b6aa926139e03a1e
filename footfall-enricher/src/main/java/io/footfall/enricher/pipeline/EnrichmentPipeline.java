package io.footfall.enricher.pipeline;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.EventRules;
import io.footfall.core.event.InvalidEventException;
import io.footfall.core.event.RawEvent;
import io.footfall.core.json.RawEventJson;
import io.footfall.enricher.session.SessionState;
import io.footfall.enricher.session.Sessionizer;
import io.footfall.enricher.topology.Enrichment;
import io.footfall.enricher.visitor.VisitorIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The enrichment steps in order — decode, validate, visitor id, session, stored event — over a
 * {@link PipelineState}. No Kafka Streams types: the Streams topology and {@code replay} both host it.
 * One instance per state owner (a Streams task, or a replay run); not thread-safe.
 */
public final class EnrichmentPipeline {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Sessionizer sessionizer;
    private final Clock clock;

    public EnrichmentPipeline(EnricherConfig config, Clock clock) {
        this.sessionizer = new Sessionizer(config.sessionTimeout());
        this.clock = clock;
    }

    /** Processes one {@code footfall.raw} record value. Never throws for bad input: that becomes a bad record. */
    public Outcome process(byte[] rawValue, PipelineState state) {
        RawEvent event;
        try {
            event = RawEventJson.decode(rawValue);
            EventRules.check(event);
        } catch (IOException | RuntimeException e) {
            return bad(rawValue, "unreadable", "the raw record is not a readable event", null);
        } catch (InvalidEventException e) {
            return bad(rawValue, e.reason(), e.getMessage(), null);
        }
        Enrichment.Page page = Enrichment.Page.of(event);
        String visitorId = event.visitorId() != null ? event.visitorId()
                : VisitorIds.cookieless(saltFor(event.receivedAt(), state), event.site(), event.clientIp(), event.userAgent());
        String sessionKey = event.site() + '\u0000' + visitorId;
        byte[] previous = state.sessions().get(sessionKey);
        SessionState session = sessionizer.next(previous == null ? null : SessionState.fromBytes(previous),
                event.receivedAt(), page.utm().campaign());
        state.sessions().put(sessionKey, session.toBytes());
        return Outcome.stored(Enrichment.apply(event, page, visitorId, session));
    }

    /** The salt of the event's UTC day, made on first use and kept in the state. */
    private static byte[] saltFor(long receivedAt, PipelineState state) {
        String day = LocalDate.ofInstant(Instant.ofEpochMilli(receivedAt), ZoneOffset.UTC).toString();
        byte[] salt = state.salts().get(day);
        if (salt == null) {
            salt = new byte[32];
            RANDOM.nextBytes(salt);
            state.salts().put(day, salt);
        }
        return salt;
    }

    private Outcome bad(byte[] rawValue, String reason, String detail, String site) {
        String payload = rawValue == null ? null : new String(rawValue, StandardCharsets.UTF_8);
        return Outcome.bad(new BadEvent("enrich", reason, detail, site, payload, clock.millis()));
    }
}
