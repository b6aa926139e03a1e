package io.footfall.enricher.useragent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class CrawlerListTest {

    /** Narrowing a pattern leaves out the apps people use, never one of the bots the list gives as its examples. */
    @Test
    void everyExampleOfANarrowedPatternIsStillACrawler() throws Exception {
        CrawlerList list = CrawlerList.shipped();
        int checked = 0;
        try (InputStream in = CrawlerList.class.getResourceAsStream(CrawlerList.RESOURCE)) {
            for (JsonNode entry : new ObjectMapper().readTree(in)) {
                String narrowed = CrawlerList.NARROWED.get(entry.path("pattern").asText());
                if (narrowed == null || narrowed.isEmpty()) {
                    continue;
                }
                for (JsonNode example : entry.path("instances")) {
                    assertTrue(list.isCrawler(example.asText()), example.asText());
                    checked++;
                }
            }
        }
        assertTrue(checked >= 25, "the examples of Sonic, Notion, Asana and WhatsApp: " + checked);
    }

    @Test
    void aDroppedPatternsExamplesLeaveTheCorpus() {
        assertFalse(CrawlerList.shipped().examples().stream().anyMatch(ua -> ua.contains("Fluid/")));
    }
}
