package io.footfall.enricher.url;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
