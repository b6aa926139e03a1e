package io.footfall.query.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.query.http.BadParameterException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FiltersTest {

    @Test
    void parsesOperatorsAlternativesAndEscapes() throws Exception {
        List<Filter> f = Filters.parse("path==/pricing|/a\\;b;country!=DE;referrer_host~google;path!~\\|x;entry_page==(none)");
        assertEquals(5, f.size());
        assertEquals(new Filter(Dimension.PATH, Filter.Operator.IS, List.of("/pricing", "/a;b")), f.get(0));
        assertEquals(new Filter(Dimension.COUNTRY, Filter.Operator.IS_NOT, List.of("DE")), f.get(1));
        assertEquals(new Filter(Dimension.REFERRER_HOST, Filter.Operator.CONTAINS, List.of("google")), f.get(2));
        assertEquals(new Filter(Dimension.PATH, Filter.Operator.NOT_CONTAINS, List.of("|x")), f.get(3));
        assertEquals(new Filter(Dimension.ENTRY_PAGE, Filter.Operator.IS, List.of(Filter.NONE)), f.get(4));
        assertEquals(List.of(), Filters.parse(""));
    }

    @Test
    void aValueMayContainOperatorCharacters() throws Exception {
        assertEquals(List.of("a==b~c"), Filters.parse("path==a==b~c").get(0).values());
    }

    @Test
    void aCustomPropertysKeyEndsAtTheFirstUnescapedOperator() throws Exception {
        assertEquals(new Filter(Dimension.PROP, "plan", Filter.Operator.IS, List.of("pro", "team")),
                Filters.parse("prop:plan==pro|team").get(0));
        assertEquals(new Filter(Dimension.PROP, "a=b!c", Filter.Operator.NOT_CONTAINS, List.of("x")),
                Filters.parse("prop:a=b!c!~x").get(0));
        assertEquals(new Filter(Dimension.PROP, "a~b==c;d", Filter.Operator.IS_NOT, List.of("1")),
                Filters.parse("prop:a\\~b\\==c\\;d!=1").get(0));
        assertEquals(new Filter(Dimension.PROP, "$y", Filter.Operator.CONTAINS, List.of("tr")), Filters.parse("prop:$y~tr").get(0));
    }

    @Test
    void refusalsNameTheParameter() throws Exception {
        for (String bad : List.of("path", "ip==1.2.3.4", "path==", "path==a|", "Path==/", "prop==plan",
                "prop:==x", "prop:plan", "prop:" + "k".repeat(65) + "==x", "path==\\", "path==/a\\\\\\")) {
            BadParameterException e = assertThrows(BadParameterException.class, () -> Filters.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("filters:"), e.getMessage());
        }
        // An unknown dimension's answer lists what a filter can name: a property's value, not the list of keys.
        BadParameterException unknown = assertThrows(BadParameterException.class, () -> Filters.parse("ip==1.2.3.4"));
        assertTrue(unknown.getMessage().contains("event_name, prop:<key>"), unknown.getMessage());
        // An escaped backslash at the end is a value; empty conditions (a trailing ';') are skipped in filters ...
        assertEquals(List.of("/a\\"), Filters.parse("path==/a\\\\").get(0).values());
        assertEquals(2, Filters.parse("path==/;;country==DE;").size());
        // ... and refused in a funnel's steps, where each one's place counts.
        java.util.Set<Dimension> steps = java.util.Set.of(Dimension.PATH);
        assertEquals(2, Filters.parse("steps", "path==/;path==/b", 8, steps).size());
        for (String bad : List.of("path==/;;path==/b", "path==/;path==/b;", ";path==/")) {
            BadParameterException e = assertThrows(BadParameterException.class, () -> Filters.parse("steps", bad, 8, steps), bad);
            assertTrue(e.getMessage().startsWith("steps: condition "), e.getMessage());
        }
        String many = "country==DE;".repeat(Filters.MAX_FILTERS + 1);
        assertThrows(BadParameterException.class, () -> Filters.parse(many));
    }
}
