package io.footfall.collector.pixel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PixelQueryTest {

    /** A ';' belongs to the value (browsers and the WHATWG URL rules split a query at '&' only): nothing is cut. */
    @Test
    void aSemicolonIsPartOfTheValue() throws Exception {
        String json = new String(PixelQuery.toJson("/v1/p.gif?site=shop.test&url=https%3A%2F%2Fshop.test%2Fa;jsessionid=1"
                + "&title=Tom;Jerry&ref=https://r.test/;x"), StandardCharsets.UTF_8);
        assertEquals("{\"site\":\"shop.test\",\"type\":\"pageview\",\"url\":\"https://shop.test/a;jsessionid=1\","
                + "\"referrer\":\"https://r.test/;x\",\"title\":\"Tom;Jerry\"}", json);
    }
}
