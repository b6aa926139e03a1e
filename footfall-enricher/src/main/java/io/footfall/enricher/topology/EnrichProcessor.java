package io.footfall.enricher.topology;

import io.footfall.core.event.BadEvent;
import io.footfall.core.event.EventRules;
import io.footfall.core.event.InvalidEventException;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.core.event.VisitorKey;
import io.footfall.core.json.BadEventJson;
import io.footfall.core.json.RawEventJson;
import io.footfall.core.json.StoredEventJson;
import io.footfall.enricher.session.SessionState;
import io.footfall.enricher.session.Sessionizer;
import io.footfall.enricher.visitor.VisitorIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Hosts the enrichment steps in Kafka Streams: decode → validate → visitor id → session → stored event.
 * Anything that fails becomes a {@code footfall.bad} record; nothing stops the partition.
 */
final class EnrichProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Sessionizer sessionizer;
    private final Clock clock;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> sessions;
    private KeyValueStore<String, byte[]> salts;

    EnrichProcessor(Sessionizer sessionizer, Clock clock) {
        this.sessionizer = sessionizer;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.sessions = context.getStateStore(EnricherTopology.SESSION_STORE);
        this.salts = context.getStateStore(EnricherTopology.SALT_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RawEvent event;
        try {
            event = RawEventJson.decode(record.value());
            EventRules.check(event);
        } catch (IOException | RuntimeException e) {
            bad(record, "unreadable", "the raw record is not a readable event", null);
            return;
        } catch (InvalidEventException e) {
            bad(record, e.reason(), e.getMessage(), null);
            return;
        }
        Enrichment.Page page = Enrichment.Page.of(event);
        String visitorId = event.visitorId() != null ? event.visitorId()
                : VisitorIds.cookieless(saltFor(event.receivedAt()), event.site(), event.clientIp(), event.userAgent());
        String sessionKey = event.site() + '\u0000' + visitorId;
        byte[] previous = sessions.get(sessionKey);
        SessionState state = sessionizer.next(previous == null ? null : SessionState.fromBytes(previous),
                event.receivedAt(), page.utm().campaign());
        sessions.put(sessionKey, state.toBytes());
        StoredEvent stored = Enrichment.apply(event, page, visitorId, state);
        context.forward(new Record<>(VisitorKey.of(event), StoredEventJson.encode(stored), record.timestamp()),
                EnricherTopology.EVENTS_SINK);
    }

    /** The salt of the event's UTC day, made on first use and kept in the task's store. */
    private byte[] saltFor(long receivedAt) {
        String day = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(receivedAt), ZoneOffset.UTC).toString();
        byte[] salt = salts.get(day);
        if (salt == null) {
            salt = new byte[32];
            RANDOM.nextBytes(salt);
            salts.put(day, salt);
        }
        return salt;
    }

    private void bad(Record<byte[], byte[]> record, String reason, String detail, String site) {
        String payload = record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
        BadEvent bad = new BadEvent("enrich", reason, detail, site, payload, clock.millis());
        context.forward(new Record<>(record.key(), BadEventJson.encode(bad), record.timestamp()), EnricherTopology.BAD_SINK);
    }
}
