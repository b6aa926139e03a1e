package io.footfall.enricher.referrer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
    void withoutAListOnlyDirectInternalAndOther() {
        ReferrerClassifier bare = ReferrerClassifier.withoutList();
        assertEquals(ReferrerType.OTHER, bare.classify("https://www.google.com/", "shop.test").type());
        assertEquals(ReferrerType.INTERNAL, bare.classify("https://shop.test/a", "shop.test").type());
        assertEquals(ReferrerType.DIRECT, bare.classify("", "shop.test").type());
        assertNull(bare.classify(null, "shop.test").host());
    }
}
