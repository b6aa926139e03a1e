package io.footfall.query.stats;

import static io.footfall.query.testing.TestWarehouse.Row.pageview;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.query.testing.TestWarehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Events without a session (the enricher's session step off) count towards visitors and page views but not as
 * sessions, bounces or visit time — computed by hand: visitor a has two such page views; visitor b has a
 * session of two page views 90 s apart and a one-page session.
 */
class SessionlessStatsIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "postgres"})
    void sessionlessEventsAreVisitorsAndPageviewsButNotSessions(String dialect) throws Exception {
        try (TestWarehouse w = TestWarehouse.of(dialect, dir, "sessionless")) {
            w.insert(pageview("2026-11-10T10:00:00Z", "a", null, 0, "/"));
            w.insert(pageview("2026-11-10T10:05:00Z", "a", null, 0, "/about"));
            w.insert(pageview("2026-11-10T10:00:00Z", "b", "s1", 1, "/"));
            w.insert(pageview("2026-11-10T10:01:30Z", "b", "s1", 2, "/pricing"));
            w.insert(pageview("2026-11-10T11:00:00Z", "b", "s2", 1, "/"));
            w.rebuildSessions();
            StatsRequest request = StatsRequest.from(Map.of("site", "fix.test", "from", "2026-11-10T00:00:00Z",
                    "to", "2026-11-11T00:00:00Z"), true, Set.of());
            StatsQueries.Summary s = new StatsQueries(w, Clock.fixed(Instant.parse("2026-11-12T00:00:00Z"), ZoneOffset.UTC),
                    100_000).summary(request);
            assertEquals(new StatsQueries.Summary(2, 2, 5, 0, 2.5, 50.0, 45.0, false), s);
        }
    }
}
