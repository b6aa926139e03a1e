package io.footfall.enricher.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UtmTest {

    /** query | source | medium | campaign as read ("-": none). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "utm_source=news&utm_medium=email&utm_campaign=nov| news| email| nov",
        "utm_source=%20google%20&utm_medium=+cpc| google| cpc| -",
        "utm_source=news&amp;utm_medium=email&amp;utm_campaign=nov| news| email| nov",
        "utm_source=&utm_medium=email| -| email| -",
        "gclid=abc&x=1| google| cpc| -",
        "x=1&GBRAID=abc| google| cpc| -",
        "msclkid=abc&utm_campaign=spring| bing| cpc| spring",
        "gclid=abc&utm_source=newsletter| newsletter| -| -",
        "gclid=&x=1| -| -| -",
        "fbclid=abc| -| -| -",
        "x=utm_source| -| -| -",
    })
    void readsTheParametersAndAnAdNetworksClickId(String query, String source, String medium, String campaign) {
        Utm utm = Utm.fromQuery(query);
        assertEquals(source, utm.source(), "source");
        assertEquals(medium, utm.medium(), "medium");
        assertEquals(campaign, utm.campaign(), "campaign");
    }

    /** query | source | medium as read with the default source parameters, ref then source ("-": none). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "ref=producthunt| producthunt| -",
        "source=newsletter&page=2| newsletter| -",
        "ref=%20Product+Hunt%20| Product Hunt| -",
        "amp;ref=producthunt| producthunt| -",
        "REF=hn| hn| -",
        // ref before source, whatever their order; of one given twice, the first usable value.
        "source=newsletter&ref=producthunt| producthunt| -",
        "ref=&ref=hn&ref=lobsters| hn| -",
        // Never over an explicit source, nor over a click id's network.
        "ref=producthunt&utm_source=twitter| twitter| -",
        "utm_source=twitter&source=newsletter| twitter| -",
        "gclid=abc&ref=producthunt| google| cpc",
        // A medium without a source takes the parameter's source, and keeps its medium.
        "utm_medium=email&source=newsletter| newsletter| email",
        // Not a source's name: empty, blank, longer than 64 characters, a URL.
        "ref=| -| -",
        "ref=+%20+| -| -",
        "ref=a123456789b123456789c123456789d123456789e123456789f123456789g1234| -| -",
        "ref=a123456789b123456789c123456789d123456789e123456789f123456789g123| a123456789b123456789c123456789d123456789e123456789f123456789g123| -",
        "ref=https%3A%2F%2Fnews.ycombinator.com%2F&source=hn| hn| -",
        // Other parameters that merely contain the word.
        "referrer=hn&resource=x&utm_source_platform=y| -| -",
    })
    void aSourceParameterNamesTheSourceWhenNothingElseDoes(String query, String source, String medium) {
        Utm utm = Utm.fromQuery(query, List.of("ref", "source"));
        assertEquals(source, utm.source(), "source");
        assertEquals(medium, utm.medium(), "medium");
        assertNull(utm.campaign(), "campaign");
    }

    @Test
    void withoutSourceParametersNothingIsReadFromThem() {
        assertEquals(Utm.NONE, Utm.fromQuery("ref=producthunt&source=newsletter"));
        assertEquals(Utm.NONE, Utm.fromQuery("ref=producthunt&source=newsletter", List.of()));
        assertEquals("newsletter", Utm.fromQuery("ref=producthunt&source=newsletter", List.of("source")).source());
    }
}
