package io.footfall.core.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.EventType;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.StoredEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The topic encodings: what is written is read back unchanged, and the bytes are the documented JSON. */
class EventCodecTest {

    private static final RawEvent RAW = new RawEvent("0b6f3c1e-8a4e-4f61-9a4b-2f7c9d1e5a10", "example.com",
            EventType.EVENT, "signup", "https://example.com/pricing?plan=pro", "https://www.google.com/", "Pricing",
            1_764_000_000_000L, null, "1920x1080", "en-GB", "Europe/London", "{\"plan\":\"pro\",\"seats\":3}",
            1_764_000_000_123L, "203.0.113.7", "Mozilla/5.0 \"quoted\"");

    @Test
    void rawEventRoundTrips() throws IOException {
        assertEquals(RAW, RawEventJson.decode(RawEventJson.encode(RAW)));
    }

    @Test
    void rawEventBytesAreTheDocumentedJson() {
        RawEvent minimal = new RawEvent("0b6f3c1e-8a4e-4f61-9a4b-2f7c9d1e5a10", "s", EventType.PAGEVIEW, null, null,
                null, null, null, null, null, null, null, null, 5L, null, null);
        assertEquals("{\"event_id\":\"0b6f3c1e-8a4e-4f61-9a4b-2f7c9d1e5a10\",\"site\":\"s\",\"type\":\"pageview\",\"received_at\":5}",
                new String(RawEventJson.encode(minimal), StandardCharsets.UTF_8));
    }

    @Test
    void propsAreEmbeddedAsAnObjectNotAString() {
        String json = new String(RawEventJson.encode(RAW), StandardCharsets.UTF_8);
        assertEquals(true, json.contains("\"props\":{\"plan\":\"pro\",\"seats\":3}"), json);
    }

    @Test
    void storedEventRoundTripsWithEveryColumn() throws IOException {
        StoredEvent stored = new StoredEvent("0b6f3c1e-8a4e-4f61-9a4b-2f7c9d1e5a10", "example.com", "event", "signup",
                1L, 2L, "https://example.com/a?b=c", "example.com", "/a", "b=c", "T", "https://t.co/x", "t.co", "social",
                "news", "email", "spring", "shoes", "banner", "v1", "s1", 3, false, "Chrome", "120", "Linux", "6",
                "Desktop", true, "GB", "ENG", "London", "1x1", "en", "UTC", "{\"k\":true}", "1", "X");
        assertEquals(stored, StoredEventJson.decode(StoredEventJson.encode(stored)));
        assertEquals(38, StoredEvent.COLUMNS.size());
        assertEquals(StoredEvent.COLUMNS, fieldNames(StoredEventJson.encode(stored)), "one field per column, in order");
    }

    private static List<String> fieldNames(byte[] json) throws IOException {
        List<String> names = new ArrayList<>();
        try (JsonParser p = Json.FACTORY.createParser(json)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                names.add(p.currentName());
                p.nextToken();
                p.skipChildren();
            }
        }
        return names;
    }

    @Test
    void aRecordWrittenBeforeReferrerSourceExistedStillDecodes() throws IOException {
        // A footfall.events record of pipeline version 4, still on the topic when the loader is upgraded.
        byte[] old = ("{\"event_id\":\"0b6f3c1e-8a4e-4f61-9a4b-2f7c9d1e5a10\",\"site\":\"s\",\"type\":\"pageview\","
                + "\"received_at\":5,\"referrer\":\"https://www.google.com/\",\"referrer_host\":\"www.google.com\","
                + "\"referrer_type\":\"search\",\"session_seq\":1,\"is_new_session\":true,\"is_bot\":false,"
                + "\"pipeline_version\":\"4\"}").getBytes(StandardCharsets.UTF_8);
        StoredEvent e = StoredEventJson.decode(old);
        assertEquals("www.google.com", e.referrerHost());
        assertEquals("4", e.pipelineVersion());
        assertEquals(null, e.referrerSource());
    }

    @Test
    void storedEventWithoutIdIsRefused() {
        byte[] bytes = "{\"site\":\"s\",\"type\":\"pageview\"}".getBytes(StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> StoredEventJson.decode(bytes));
    }

    @Test
    void badEventRoundTrips() throws IOException {
        BadEvent bad = new BadEvent("collect", "invalid_site", "site must match", null, "{\"site\":\"BAD\"}", 9L);
        assertEquals(bad, BadEventJson.decode(BadEventJson.encode(bad)));
    }

    @Test
    void wrongTypesAreDecodeErrorsNotCrashes() {
        for (String broken : new String[]{"[]", "{\"site\":1}", "{\"received_at\":\"x\"}", "{\"props\":[1]}", "{", ""}) {
            byte[] bytes = broken.getBytes(StandardCharsets.UTF_8);
            assertThrows(IOException.class, () -> RawEventJson.decode(bytes), broken);
        }
    }

    @Test
    void encodingIsDeterministic() {
        assertArrayEquals(RawEventJson.encode(RAW), RawEventJson.encode(RAW));
    }
}
