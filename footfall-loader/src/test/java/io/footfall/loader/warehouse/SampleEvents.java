package io.footfall.loader.warehouse;

import io.footfall.core.event.StoredEvent;
import java.util.UUID;

/** Stored events with every column set, distinct per seed. */
public final class SampleEvents {

    private SampleEvents() {
    }

    public static StoredEvent event(int seed) {
        return withId(new UUID(0x1234L, seed).toString(), seed);
    }

    public static StoredEvent withId(String id, int seed) {
        return at(id, seed, 1_700_000_000_000L + seed * 1000L);
    }

    /** As {@link #event}, received at {@code receivedAt} (epoch ms). */
    public static StoredEvent at(int seed, long receivedAt) {
        return at(new UUID(0x1234L, seed).toString(), seed, receivedAt);
    }

    private static StoredEvent at(String id, int seed, long receivedAt) {
        return new StoredEvent(id, "example.com", "pageview", null, receivedAt,
                1_700_000_000_000L + seed * 1000L - 50, "https://example.com/p/" + seed + "?a=1", "example.com",
                "/p/" + seed, "a=1", "Page\t" + seed + " \"quoted\" \\ back\nslash", "https://google.com/", "google.com",
                "search", "news", "email", "spring", null, null, "v" + (seed % 10), "s" + (seed % 10), 1 + seed % 3,
                seed % 3 == 0, "Chrome", "120", "Linux", null, "desktop", false, "GB", null, null, "1920x1080", "en-GB",
                "Europe/London", "{\"plan\":\"pro\",\"n\":" + seed + "}", "test", "Google");
    }
}
