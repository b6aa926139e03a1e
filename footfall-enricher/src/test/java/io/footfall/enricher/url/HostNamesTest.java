package io.footfall.enricher.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostNamesTest {

    /** RFC 3492's own samples (B: Chinese, L: Japanese with basic code points), and labels of real hosts. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "他们为什么不说中文| ihqwcrb4cv8a8dqg056pqjye",
        "3年b組金八先生| 3b-ww4c5e180e575a65lsy2b",
        "bücher| bcher-kva",
        "münchen| mnchen-3ya",
        "straße| strae-oqa",
        "café| caf-dma",
        "中国| fiqs8s",
        "💩| ls8h",
    })
    void encodesPunycode(String label, String encoded) {
        assertEquals(encoded, HostNames.punycode(label));
    }

    /** A host as sent (already lower case, as {@link UrlParts} passes it) → its one stored form. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bücher.example| xn--bcher-kva.example",
        "www.bücher.example| www.xn--bcher-kva.example",
        "xn--bcher-kva.example| xn--bcher-kva.example",
        // IDNA2008, as browsers: ß stays ß (the JDK's IDNA2003 would make it strasse.de, another domain).
        "straße.de| xn--strae-oqa.de",
        // Decomposed ü, full-width letters and dots: the forms browsers map before encoding.
        "bu\u0308cher.example| xn--bcher-kva.example",
        "ｂüｃｈｅｒ．example| xn--bcher-kva.example",
        "中国。example| xn--fiqs8s.example",
        "bücher.example.| xn--bcher-kva.example.",
    })
    void storesTheAsciiForm(String host, String stored) {
        assertEquals(stored, HostNames.ascii(host));
    }

    @Test
    void anAsciiHostIsLeftAsItIs() {
        String host = "shop.example";
        assertSame(host, HostNames.ascii(host));
    }
}
