package io.footfall.enricher.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A page URL's host, path and query, and the URL as stored: a single-page app's route in the fragment ({@code #/x},
 * {@code #!/x}, what the tracker's {@code data-hash} sends) is part of the page, any other fragment (an anchor, an
 * access token) is not kept.
 */
class UrlPartsTest {

    @ParameterizedTest
    @CsvSource(delimiter = ' ', nullValues = "-", value = {
        "https://Shop.Test:8443/a/b?x=1#top shop.test /a/b x=1",
        "https://shop.test shop.test / -",
        "https://shop.test/#/settings shop.test /#/settings -",
        "https://shop.test/app/#!/users/7?tab=2 shop.test /app/#!/users/7 -",
        "https://shop.test/?utm_source=x#/billing shop.test /#/billing utm_source=x",
        "https://shop.test/docs#faq shop.test /docs -",
        "https://shop.test/cb#access_token=secret&state=1 shop.test /cb -",
        "https://shop.test/p?q=1#/ shop.test /p#/ q=1",
        "https://shop.test/p#?x=/ shop.test /p -",
        "not-a-url - - -",
        "https://Bücher.example/ xn--bcher-kva.example / -",
        "https://user@xn--BCHER-kva.example:8443/a?x=1 xn--bcher-kva.example /a x=1",
    })
    void splitsHostPathAndQuery(String url, String host, String path, String query) {
        UrlParts parts = UrlParts.parse(url);
        assertEquals(host, parts.host(), url);
        assertEquals(path, parts.path(), url);
        assertEquals(query, parts.query(), url);
    }

    /** url, the query parse found, the query to store, the url as stored. */
    @ParameterizedTest
    @CsvSource(delimiter = ' ', nullValues = "-", value = {
        "https://a.test/p?x=1&gclid=2#f x=1&gclid=2 x=1 https://a.test/p?x=1",
        "https://a.test/p?gclid=2 gclid=2 - https://a.test/p",
        "https://a.test/p?x=1&gclid=2#/route x=1&gclid=2 x=1 https://a.test/p?x=1#/route",
        "https://a.test/#!/r?utm_source=x - - https://a.test/#!/r",
        "https://a.test/cb#access_token=secret - - https://a.test/cb",
        "https://a.test/p?x=1#faq x=1 x=1 https://a.test/p?x=1",
        "https://a.test/p?gclid=1#/r gclid=1 - https://a.test/p#/r",
        "https://user:secret@a.test/p?x=1 x=1 x=1 https://a.test/p?x=1",
        "https://u@a.test:8443/p?x=1&gclid=2 x=1&gclid=2 x=1 https://a.test:8443/p?x=1",
        "https://a.test/p?mail=a@b.test mail=a@b.test mail=a@b.test https://a.test/p?mail=a@b.test",
    })
    void storesTheCleanedQueryAndOfTheFragmentOnlyARoute(String url, String query, String newQuery, String stored) {
        assertEquals(stored, UrlParts.stored(url, query, newQuery), url);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
        "https://user:pass@blog.test/post https://blog.test/post",
        "https://blog.test/post#/r https://blog.test/post#/r",
        "https://blog.test/p?a=b@c https://blog.test/p?a=b@c",
    })
    void aReferrerIsStoredWithoutUserOrPassword(String referrer, String stored) {
        assertEquals(stored, UrlParts.stored(referrer));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ' ', nullValues = "-", value = {
        "https://a.test/#/landing?utm_source=x&y=1 utm_source=x&y=1",
        "https://a.test/#!/r? -",
        "https://a.test/#/r -",
        "https://a.test/p?utm_source=x#faq?utm_source=y -",
        "https://a.test/p?a=1 -",
        "not-a-url#/r?x=1 -",
    })
    void aRoutesQueryIsWhatFollowsItsQuestionMark(String url, String query) {
        assertEquals(query, UrlParts.routeQuery(url), url);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {"https://a.test/p?x=1", "https://a.test/#/settings", "https://a.test/", "not-a-url"})
    void aUrlWithNothingToRemoveIsStoredAsItIs(String url) {
        assertSame(url, UrlParts.stored(url, UrlParts.parse(url).query(), UrlParts.parse(url).query()));
    }
}
