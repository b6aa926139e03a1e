package io.footfall.query.stats;

import static io.footfall.query.testing.TestWarehouse.Row.event;
import static io.footfall.query.testing.TestWarehouse.Row.pageview;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.footfall.query.testing.ServedWarehouses;
import io.footfall.query.testing.TestWarehouse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Funnels over random visits, checked against a plain walk through each visit's events: 400 visits of 40 visitors
 * with pages, custom events, ties within a millisecond, events outside the range, bots and two countries, and 60
 * random funnels of 2 to 5 steps, each asked of DuckDB and PostgreSQL with and without a country filter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FunnelRandomIT {

    private static final Instant FROM = Instant.parse("2026-11-10T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-11T00:00:00Z");
    private static final String[] PATHS = {"/", "/a", "/b", "/blog/one", "/blog/two"};
    private static final String[] NAMES = {"x", "y", "z"};

    @TempDir
    static Path dir;

    /** One stored event, as the walk sees it. */
    private record Stored(String visitor, String session, Instant at, int seq, boolean pageview, String value, boolean bot,
                          String country) {
    }

    private final List<Stored> events = new ArrayList<>();
    private ServedWarehouses served;

    @BeforeAll
    void start() throws Exception {
        Random random = new Random(20261128);
        for (int s = 0; s < 400; s++) {
            String visitor = "v" + random.nextInt(40);
            boolean bot = random.nextInt(20) == 0;
            String country = random.nextBoolean() ? "DE" : "FR";
            // Visits start from an hour before the range to an hour after it: some events fall outside.
            Instant at = FROM.minusSeconds(3600).plusSeconds(random.nextInt(26 * 3600));
            int length = 1 + random.nextInt(8);
            for (int seq = 1; seq <= length; seq++) {
                boolean pageview = random.nextInt(3) > 0;
                String value = pageview ? PATHS[random.nextInt(PATHS.length)] : NAMES[random.nextInt(NAMES.length)];
                events.add(new Stored(visitor, "s" + s, at, seq, pageview, value, bot, country));
                // A third of the events share the millisecond of the one before: the visit's own order decides.
                at = random.nextInt(3) == 0 ? at : at.plusSeconds(1 + random.nextInt(300));
            }
        }
        served = ServedWarehouses.start(dir, "funnelrandom", w -> {
            for (Stored e : events) {
                TestWarehouse.Row row = e.pageview ? pageview(e.at.toString(), e.visitor, e.session, e.seq, e.value)
                        : event(e.at.toString(), e.visitor, e.session, e.seq, "/", e.value);
                w.insert(e.bot ? row.bot().geo(e.country, null, null) : row.geo(e.country, null, null));
            }
            w.rebuildSessions();
        });
    }

    @AfterAll
    void stop() {
        served.close();
    }

    @Test
    void everyFunnelMatchesAWalkThroughTheVisits() throws Exception {
        Random random = new Random(7);
        int reachedLast = 0;
        for (int f = 0; f < 60; f++) {
            int n = 2 + random.nextInt(4);
            List<String> wire = new ArrayList<>();
            List<Predicate<Stored>> steps = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                step(random, wire, steps);
            }
            for (String country : new String[] {null, "FR"}) {
                String expected = walk(steps, country);
                reachedLast += expected.endsWith(":0") ? 0 : 1;
                for (String dialect : served.dialects()) {
                    String query = "/api/stats/funnel?site=fix.test&from=" + FROM + "&to=" + TO + "&steps="
                            + URLEncoder.encode(String.join(";", wire), StandardCharsets.UTF_8)
                            + (country == null ? "" : "&filters=" + URLEncoder.encode("country==" + country, StandardCharsets.UTF_8));
                    assertEquals(expected, counts(served.get(dialect, query, 200)), dialect + " " + query);
                }
            }
        }
        // The random funnels are not all empty at their end: the comparison covers visits that go all the way.
        assertEquals(true, reachedLast > 20, "funnels with visits at their last step: " + reachedLast);
    }

    /** A random step, as the API takes it and as the walk tests it. */
    private static void step(Random random, List<String> wire, List<Predicate<Stored>> steps) {
        switch (random.nextInt(4)) {
            case 0 -> {
                String path = PATHS[random.nextInt(PATHS.length)];
                wire.add("path==" + path);
                steps.add(e -> e.pageview && e.value.equals(path));
            }
            case 1 -> {
                String part = random.nextBoolean() ? "BLOG" : "a";
                wire.add("path~" + part);
                steps.add(e -> e.pageview && e.value.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT)));
            }
            case 2 -> {
                String path = PATHS[random.nextInt(PATHS.length)];
                wire.add("path!=" + path);
                steps.add(e -> e.pageview && !e.value.equals(path));
            }
            default -> {
                String one = NAMES[random.nextInt(NAMES.length)];
                String other = NAMES[random.nextInt(NAMES.length)];
                wire.add("event_name==" + one + "|" + other);
                steps.add(e -> !e.pageview && (e.value.equals(one) || e.value.equals(other)));
            }
        }
    }

    /**
     * visits:visitors per step, by walking each visit's events in the range in order and taking every event that
     * matches the next step. A visit's country is its first event's (all of a visit's events share it here).
     */
    private String walk(List<Predicate<Stored>> steps, String country) {
        Map<String, List<Stored>> visits = new HashMap<>();
        for (Stored e : events) {
            if (!e.bot && !e.at.isBefore(FROM) && e.at.isBefore(TO) && (country == null || country.equals(e.country))) {
                visits.computeIfAbsent(e.session, k -> new ArrayList<>()).add(e);
            }
        }
        long[] reached = new long[steps.size()];
        List<Set<String>> visitors = new ArrayList<>();
        steps.forEach(s -> visitors.add(new HashSet<>()));
        for (List<Stored> visit : visits.values()) {
            visit.sort((a, b) -> a.at.equals(b.at) ? Integer.compare(a.seq, b.seq) : a.at.compareTo(b.at));
            int k = 0;
            for (Stored e : visit) {
                if (k < steps.size() && steps.get(k).test(e)) {
                    reached[k]++;
                    visitors.get(k).add(e.visitor);
                    k++;
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            out.add(reached[i] + ":" + visitors.get(i).size());
        }
        return String.join(" ", out);
    }

    private static String counts(JsonNode answer) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : answer.get("steps")) {
            out.add(s.get("visits").asLong() + ":" + s.get("visitors").asLong());
        }
        return String.join(" ", out);
    }
}
