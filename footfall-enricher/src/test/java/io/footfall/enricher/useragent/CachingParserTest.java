package io.footfall.enricher.useragent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachingParserTest {

    private static final UserAgentInfo PERSON = new UserAgentInfo("Chrome", "120", "Linux", null, "desktop", false);

    /** A cache of {@code maxEntries} in front of a parser that counts its calls. */
    private static CachingParser counting(AtomicInteger parses, int maxEntries) {
        return new CachingParser(ua -> {
            parses.incrementAndGet();
            return PERSON;
        }, null, true, maxEntries);
    }

    @Test
    void theCrawlerListCatchesBotsTheParserDoesNot() {
        CachingParser parser = new CachingParser(ua -> PERSON, CrawlerList.shipped(), true, 100);
        assertTrue(parser.parse("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)").isBot());
        assertTrue(parser.parse("python-requests/2.31.0").isBot());
        assertFalse(parser.parse("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/120.0.0.0 Safari/537.36").isBot());
    }

    @Test
    void footfallsJavaClientReportsForAPersonNotABot() {
        CachingParser parser = new CachingParser(ua -> PERSON.asBot(), CrawlerList.shipped(), true, 100);
        assertEquals(UserAgentInfo.UNKNOWN, parser.parse("footfall-client/1"));
        assertFalse(parser.parse("footfall-client/1").isBot());
        assertTrue(parser.parse("footfall-crawler/1").isBot(), "only the client's own agent");
    }

    @Test
    void withBotsDisabledNothingIsABot() {
        CachingParser parser = new CachingParser(ua -> PERSON.asBot(), CrawlerList.shipped(), false, 100);
        assertFalse(parser.parse("Googlebot/2.1").isBot());
    }

    @Test
    void aWorkingSetAsLargeAsTheCacheIsAnalysedOnce() {
        AtomicInteger parses = new AtomicInteger();
        CachingParser parser = counting(parses, 100);
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 100; i++) {
                parser.parse("agent " + i);
            }
        }
        assertEquals(100, parses.get());
        assertEquals(400, parser.hits());
        assertEquals(0.8, parser.hitRate(), 1e-9);
    }

    @Test
    void agentsNotSeenForTwoGenerationsAreAnalysedAgain() {
        AtomicInteger parses = new AtomicInteger();
        CachingParser parser = counting(parses, 2);
        parser.parse("a");
        parser.parse("b");
        parser.parse("c");
        parser.parse("d");
        parser.parse("e");
        assertEquals(5, parses.get());
        parser.parse("a");
        assertEquals(6, parses.get(), "'a' went with the generation before the previous one");
        parser.parse("e");
        assertEquals(6, parses.get(), "'e' is in a kept generation");
        assertTrue(parser.size() <= 4, parser.size() + " held with room for twice 2");
    }

    @Test
    void aUserAgentInUseStaysCachedWhileOthersComeAndGoWithinTheBound() {
        AtomicInteger parses = new AtomicInteger();
        CachingParser parser = counting(parses, 2);
        parser.parse("hot");
        for (int i = 0; i < 100; i++) {
            parser.parse("cold " + i);
            parser.parse("hot");
            assertTrue(parser.size() <= 4, parser.size() + " held with room for twice 2");
        }
        assertEquals(101, parses.get(), "'hot' analysed once, every other agent once");
        assertEquals(100, parser.hits());
    }

    @Test
    void mostShippedCrawlerExamplesAreBotsToYauaaPlusTheList() {
        CrawlerList crawlers = CrawlerList.shipped();
        assertTrue(crawlers.examples().size() > 2000, "the corpus the benchmark draws from");
        CachingParser parser = new CachingParser(YauaaParser.shared(), crawlers, true, 10_000);
        long bots = crawlers.examples().stream().filter(ua -> parser.parse(ua).isBot()).count();
        assertTrue(bots > crawlers.examples().size() * 0.95, bots + " of " + crawlers.examples().size());
    }
}
