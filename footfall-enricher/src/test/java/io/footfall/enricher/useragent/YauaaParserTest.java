package io.footfall.enricher.useragent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class YauaaParserTest {

    /** One row per population in a breakdown: major versions, and Windows by its name. */
    @ParameterizedTest(name = "{1} {2} on {3} {4}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0| Firefox| 133| Windows| >=10",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36"
                + "| Chrome| 131| Android| 14",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148"
                + " Safari/604.1| Safari| 18| iOS| 18",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36"
                + " Edge/18.19045| Edge| 44| Windows| 10",
    })
    void storesMajorVersions(String userAgent, String browser, String browserVersion, String os, String osVersion) {
        UserAgentInfo info = YauaaParser.shared().parse(userAgent);
        assertEquals(browser, info.browser());
        assertEquals(browserVersion, info.browserVersion());
        assertEquals(os, info.os());
        assertEquals(osVersion, info.osVersion());
    }
}
