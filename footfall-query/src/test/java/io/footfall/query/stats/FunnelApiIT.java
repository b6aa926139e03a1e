package io.footfall.query.stats;

import static io.footfall.query.testing.TestWarehouse.Row.event;
import static io.footfall.query.testing.TestWarehouse.Row.pageview;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.footfall.query.testing.ServedWarehouses;
import io.footfall.query.testing.TestWarehouse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code GET /api/stats/funnel} over real HTTP against DuckDB and PostgreSQL. Each session of the fixture tests
 * one rule of a funnel (order, gaps, repeats, ties within a millisecond, the range's end, bots, filters); the
 * expected counts are worked out beside it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FunnelApiIT {

    private static final String RANGE = "site=fix.test&from=2026-11-10T00:00:00Z&to=2026-11-11T00:00:00Z";
    private static final String HOME_PRICING_SIGNUP = "path==/;path==/pricing;event_name==signup";

    @TempDir
    static Path dir;

    private ServedWarehouses served;

    @BeforeAll
    void start() throws Exception {
        served = ServedWarehouses.start(dir, "funnel", FunnelApiIT::fixture);
    }

    @AfterAll
    void stop() {
        served.close();
    }

    /** One visit per line: its visitor, its events in order, and how far it gets through / → /pricing → signup. */
    static void fixture(TestWarehouse w) throws Exception {
        visit(w, "va", "a1", "10:00", "/", "/pricing", "!signup");                   // 3
        visit(w, "vb", "a2", "10:10", "/", "/blog", "/pricing");                     // 2: steps need not be adjacent
        visit(w, "vc", "a3", "10:20", "/pricing", "/", "!signup");                   // 1: /pricing came before /
        visit(w, "vc", "a4", "11:20", "/", "!signup", "/pricing");                   // 2: the signup came before /pricing
        visit(w, "vd", "a5", "10:30", "/pricing", "!signup");                        // 0: never on /
        visit(w, "ve", "a6", "10:40", "/", "/", "/pricing", "/pricing", "!signup", "!signup"); // 3, once
        visit(w, "vg", "a8", "11:00", "/", "/pricing", "!signup");                   // 3, from France
        // Within one millisecond the session's own order (session_seq) decides.
        w.insert(pageview("2026-11-10T12:00:00Z", "vh", "a9", 1, "/").geo("DE", null, null));
        w.insert(pageview("2026-11-10T12:00:00Z", "vh", "a9", 2, "/pricing").geo("DE", null, null));
        w.insert(event("2026-11-10T12:00:00Z", "vh", "a9", 3, "/pricing", "signup").geo("DE", null, null));  // 3
        w.insert(pageview("2026-11-10T12:10:00Z", "vi", "a10", 1, "/pricing").geo("DE", null, null));
        w.insert(pageview("2026-11-10T12:10:00Z", "vi", "a10", 2, "/").geo("DE", null, null));              // 1
        // The rest of this visit comes after the range: 1.
        w.insert(pageview("2026-11-10T23:59:00Z", "vj", "a11", 1, "/").geo("DE", null, null));
        w.insert(pageview("2026-11-11T00:01:00Z", "vj", "a11", 2, "/pricing").geo("DE", null, null));
        w.insert(event("2026-11-11T00:02:00Z", "vj", "a11", 3, "/pricing", "signup").geo("DE", null, null));
        // A bot goes all the way; another site's visit too.
        w.insert(pageview("2026-11-10T13:00:00Z", "vf", "a7", 1, "/").bot().geo("DE", null, null));
        w.insert(pageview("2026-11-10T13:00:05Z", "vf", "a7", 2, "/pricing").bot().geo("DE", null, null));
        w.insert(event("2026-11-10T13:00:06Z", "vf", "a7", 3, "/pricing", "signup").bot().geo("DE", null, null));
        w.insert(pageview("2026-11-10T14:00:00Z", "vo", "o1", 1, "/").site("other.test"));
        w.insert(pageview("2026-11-10T14:00:01Z", "vo", "o1", 2, "/pricing").site("other.test"));
        w.rebuildSessions();
    }

    /** A visit a minute per event from {@code hhmm} on 2026-11-10; {@code !name} is a custom event, else a path. */
    private static void visit(TestWarehouse w, String visitor, String session, String hhmm, String... steps) throws Exception {
        String country = session.equals("a8") ? "FR" : "DE";
        String path = "/";
        for (int i = 0; i < steps.length; i++) {
            String at = "2026-11-10T" + hhmm.substring(0, 3) + String.format("%02d", Integer.parseInt(hhmm.substring(3)) + i) + ":00Z";
            TestWarehouse.Row row = steps[i].startsWith("!")
                    ? event(at, visitor, session, i + 1, path, steps[i].substring(1))
                    : pageview(at, visitor, session, i + 1, path = steps[i]);
            w.insert(row.geo(country, null, null));
        }
    }

    private JsonNode funnel(String dialect, String steps, String more) throws Exception {
        return served.get(dialect, "/api/stats/funnel?" + RANGE + "&steps=" + URLEncoder.encode(steps, StandardCharsets.UTF_8) + more, 200);
    }

    /** step:visits:visitors:conversion_rate:dropoff:dropoff_rate, one per step, joined by spaces. */
    private static String steps(JsonNode answer) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : answer.get("steps")) {
            out.add(s.get("step").asText() + ":" + s.get("visits").asLong() + ":" + s.get("visitors").asLong() + ":"
                    + s.get("conversion_rate").asDouble() + ":" + s.get("dropoff").asLong() + ":" + s.get("dropoff_rate").asDouble());
        }
        return String.join(" ", out);
    }

    /**
     * Step 1: a1 a2 a3 a4 a6 a8 a9 a10 a11 (9 visits of 8 visitors: vc twice). Step 2: a1 a2 a4 a6 a8 a9. Step 3: a1
     * a6 a8 a9. With bots, a7 on every step; from France, a8 only.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
        "# path==/:9:8:100.0:0:0.0 path==/pricing:6:6:66.67:3:33.33 event_name==signup:4:4:44.44:2:33.33 # 44.44",
        "&include_bots=true # path==/:10:9:100.0:0:0.0 path==/pricing:7:7:70.0:3:30.0 event_name==signup:5:5:50.0:2:28.57 # 50.0",
        "&filters=country%3D%3DFR # path==/:1:1:100.0:0:0.0 path==/pricing:1:1:100.0:0:0.0 event_name==signup:1:1:100.0:0:0.0 # 100.0",
        "&filters=country%21%3DFR # path==/:8:7:100.0:0:0.0 path==/pricing:5:5:62.5:3:37.5 event_name==signup:3:3:37.5:2:40.0 # 37.5",
    })
    void countsTheVisitsThatReachEachStepInOrder(String more, String expected, double overall) throws Exception {
        for (String dialect : served.dialects()) {
            JsonNode answer = funnel(dialect, HOME_PRICING_SIGNUP, more == null ? "" : more);
            assertEquals(expected, steps(answer), dialect + " " + more);
            assertEquals(overall, answer.get("conversion_rate").asDouble(), dialect);
            assertEquals("fix.test", answer.get("site").asText());
            assertEquals("2026-11-10T00:00:00Z", answer.get("from").asText());
        }
    }

    /**
     * A step repeated is a second matching event after the first: of the nine visits with a /pricing view in the
     * range only a6 has two. Contains, alternatives and is-not work as in filters (a signup after a page other than
     * /: a1 a3 a5 a6 a8 a9, not a4, whose signup came before its /pricing); a step that matches nothing ends the
     * funnel at 0.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
        "path==/pricing;path==/pricing # path==/pricing:9:8:100.0:0:0.0 path==/pricing:1:1:11.11:8:88.89",
        "path~PRIC;event_name==signup|trial # path~PRIC:9:8:100.0:0:0.0 event_name==signup|trial:6:6:66.67:3:33.33",
        "path!=/;event_name==signup # path!=/:9:8:100.0:0:0.0 event_name==signup:6:6:66.67:3:33.33",
        "path==/;event_name==refund # path==/:9:8:100.0:0:0.0 event_name==refund:0:0:0.0:9:100.0",
        "path==/nowhere;path==/ # path==/nowhere:0:0:0.0:0:0.0 path==/:0:0:0.0:0:0.0",
        // A value with an escaped separator comes back escaped, as it was given: a1 a3 a4 a6 a8 a9, vc twice.
        "path==/x\\;y|/;event_name==signup # path==/x\\;y|/:9:8:100.0:0:0.0 event_name==signup:6:5:66.67:3:33.33",
    })
    void repeatsOperatorsAndEmptySteps(String stepsParam, String expected) throws Exception {
        for (String dialect : served.dialects()) {
            assertEquals(expected, steps(funnel(dialect, stepsParam, "")), dialect + " " + stepsParam);
        }
    }

    /** Each bad request names the parameter and what is wrong with it. */
    @ParameterizedTest
    @ValueSource(strings = {
        "&steps=path==/|steps: a funnel has 2 to 8 steps",
        "|steps: is required",
        "&steps=path==/;country==DE|steps: only event_name, path can be used; got 'country'",
        "&steps=path==/;prop:plan==pro|steps: only event_name, path can be used; got 'prop:plan'",
        "&steps=path==/;prop==pro|steps: only event_name, path can be used; got 'prop'",
        "&steps=path==/;foo==bar|steps: only event_name, path can be used; got 'foo'",
        "&steps=path==/1;path==/2;path==/3;path==/4;path==/5;path==/6;path==/7;path==/8;path==/9|steps: at most 8 conditions",
        "&steps=path==/;path==/pricing&filters=path==/blog|filters: a funnel's steps choose its pages and events",
        "&steps=path==/;path==/pricing&filters=event_name==signup|filters: a funnel's steps choose its pages and events",
        "&steps=path==/;path==/pricing&dimension=path|dimension: unknown parameter",
    })
    void refusesBadSteps(String spec) throws Exception {
        String[] parts = spec.split("\\|", 2);
        for (String dialect : served.dialects()) {
            JsonNode error = served.get(dialect, "/api/stats/funnel?" + RANGE + parts[0], 400);
            assertEquals("bad_parameter", error.get("error").asText());
            assertTrue(error.get("detail").asText().startsWith(parts[1]), dialect + " " + spec + " -> " + error);
        }
    }
}
