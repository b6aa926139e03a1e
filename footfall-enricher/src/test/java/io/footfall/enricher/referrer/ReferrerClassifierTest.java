package io.footfall.enricher.referrer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferrerClassifierTest {

    private static final ReferrerClassifier CLASSIFIER = new ReferrerClassifier(ReferrerList.shipped());

    @Test
    void theShippedListsAreLoaded() {
        assertTrue(ReferrerList.shipped().size() > 1000, "referers.yml has well over a thousand domains");
    }

    @Test
    void searchEnginesGiveTheirSourceAndTerm() {
        Referrer bing = CLASSIFIER.classify("https://www.bing.com/search?form=x&q=caf%C3%A9+paris", "shop.test");
        assertEquals(ReferrerType.SEARCH, bing.type());
        assertEquals("Bing", bing.source());
        assertEquals("café paris", bing.searchTerm());
        Referrer yandex = CLASSIFIER.classify("https://yandex.ru/search/?text=shoes", "shop.test");
        assertEquals(ReferrerType.SEARCH, yandex.type());
        assertEquals("shoes", yandex.searchTerm());
    }

    @Test
    void subdomainsFallBackToTheirParentDomain() {
        assertEquals(ReferrerType.SOCIAL, CLASSIFIER.classify("https://m.facebook.com/story", "shop.test").type());
        assertEquals(ReferrerType.SOCIAL, CLASSIFIER.classify("https://old.reddit.com/r/x", "shop.test").type());
    }

    @Test
    void theSitesOwnHostWithOrWithoutWwwIsInternal() {
        assertEquals(ReferrerType.INTERNAL, CLASSIFIER.classify("https://shop.test/a", "www.shop.test").type());
        assertEquals(ReferrerType.INTERNAL, CLASSIFIER.classify("https://www.shop.test./a", "shop.test").type());
        assertEquals(ReferrerType.OTHER, CLASSIFIER.classify("https://blog.shop.test/a", "shop.test").type(),
                "another subdomain is another site");
        assertEquals(ReferrerType.OTHER, CLASSIFIER.classify("https://www.shop.test/a", null).type());
    }

    @Test
    void aRedirectsDestinationIsNoSearchTerm() {
        Referrer google = CLASSIFIER.classify("https://www.google.com/url?q=https://www.shop.test/&sa=U", "shop.test");
        assertEquals(ReferrerType.SEARCH, google.type());
        assertNull(google.searchTerm());
        assertEquals("running shoes", CLASSIFIER.classify("https://www.google.com/search?q=running+shoes", "shop.test").searchTerm());
    }

    @ParameterizedTest(name = "{0} → {1} {2}")
    @CsvSource({
            "android-app://com.google.android.googlequicksearchbox/, SEARCH, Google",
            "android-app://com.google.android.gm/, EMAIL, Gmail",
            "android-app://com.reddit.frontpage/, SOCIAL, Reddit",
            "android-app://com.Slack/, SOCIAL, Slack",
            "android-app://com.example.app/, OTHER, ",
            "https://www.qwant.com/?q=x, SEARCH, Qwant",
            "https://m.baidu.com/s?word=x, SEARCH, Baidu",
            "https://ya.ru/search/?text=x, SEARCH, Yandex",
            "https://startpage.com/do/search, SEARCH, Startpage",
            "https://www.sogou.com/web?query=x, SEARCH, Sogou",
            "https://www.threads.com/@a, SOCIAL, Threads",
            "https://discord.com/channels/1, SOCIAL, Discord",
            "https://x.com/a/status/1, SOCIAL, Twitter",
            "https://navigator.gmx.net/mail, EMAIL, GMX",
            "https://www.icloud.com/mail/, EMAIL, iCloud Mail",
            "https://chatgpt.com/, OTHER, ChatGPT",
            "https://www.perplexity.ai/search/x, OTHER, Perplexity",
            "https://gemini.google.com/app, OTHER, Gemini"})
    void appsAndNewerSourcesAreKnown(String referrer, ReferrerType type, String source) {
        Referrer r = CLASSIFIER.classify(referrer, "shop.test");
        assertEquals(type, r.type(), referrer);
        assertEquals(source, r.source(), referrer);
    }

    @Test
    void sourcesAreStoredUnderTheNamesPeopleKnow() {
        assertEquals("DuckDuckGo", CLASSIFIER.classify("https://duckduckgo.com/?q=x", "shop.test").source(),
                "referers.yml spells it DuckDuckGoL");
    }

    @Test
    void withoutAListOnlyDirectInternalAndOther() {
        ReferrerClassifier bare = ReferrerClassifier.withoutList();
        assertEquals(ReferrerType.OTHER, bare.classify("https://www.google.com/", "shop.test").type());
        assertEquals(ReferrerType.INTERNAL, bare.classify("https://shop.test/a", "shop.test").type());
        assertEquals(ReferrerType.DIRECT, bare.classify("", "shop.test").type());
        assertNull(bare.classify(null, "shop.test").host());
    }
}
