package io.footfall.enricher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.core.config.EnricherConfig;
import io.footfall.core.config.Settings;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.StoredEvent;
import io.footfall.enricher.MutableClock;
import io.footfall.enricher.RawEvents;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the rows say about the people and bots behind user agents, through the pipeline as {@code replay} hosts it. */
class UserAgentsStoredTest {

    private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");
    private static final EnrichmentPipeline PIPELINE = new EnrichmentPipeline(
            EnricherConfig.from(Settings.of(Map.of())), new MutableClock(T0));

    static StoredEvent stored(String userAgent) {
        RawEvent e = RawEvents.pageview("https://shop.test/", T0);
        return PIPELINE.process(RawEvents.bytes(new RawEvent(UUID.randomUUID().toString(), e.site(), e.type(), null,
                e.url(), null, null, null, null, null, null, null, null, e.receivedAt(), e.clientIp(), userAgent)),
                new InMemoryState()).stored();
    }

    /** Desktop apps built on Electron, whose agents carry a word a crawler pattern of the shipped list looked for. */
    @ParameterizedTest
    @ValueSource(strings = {
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105"
                + " Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 Sonic Slack_SSB/4.41.105",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.29.149"
                + " Chrome/106.0.5249.199 Electron/21.3.3 Safari/537.36 Sonic Slack_SSB/4.29.149",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Notion/4.2.0"
                + " Chrome/130.0.6723.191 Electron/33.3.2 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) WhatsApp/2.2306.9"
                + " Chrome/108.0.5359.215 Electron/22.3.2 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Asana/2.3.0"
                + " Chrome/126.0.6478.234 Electron/31.7.1 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1"
                + " Safari/605.1.15 Fluid/2.1.3",
        // Desktop apps that were never caught, to show the rule did not move.
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) discord/1.0.9163"
                + " Chrome/124.0.6367.243 Electron/30.2.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Teams/1.5.00.8070"
                + " Chrome/85.0.4183.121 Electron/10.4.7 Safari/537.36",
    })
    void peoplesDesktopAppsAreNotBots(String userAgent) {
        StoredEvent s = stored(userAgent);
        assertFalse(s.isBot(), userAgent);
        assertEquals("desktop", s.deviceType());
    }

    /** The link previewers and crawlers of the same names stay bots. */
    @ParameterizedTest
    @ValueSource(strings = {
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Slackbot 1.0 (+https://api.slack.com/robots)",
        "Slack-ImgProxy (+https://api.slack.com/robots)",
        "Notion/1.0 (https://notion.so; team@makenotion.com)",
        "WhatsApp/2.23.20.0 A",
        "WhatsApp/2.19.92 i",
        "Asana/1.4.0 WebsiteMetadataRetriever",
        "Mozilla/5.0 (compatible; Sonic/1.0; http://www.yama.info.waseda.ac.jp/~crawler/info.html)",
        "Mozilla/5.0 (compatible; RankSonicSiteAuditor/1.0; +https://ranksonic.com/ranksonic_sab.html)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/56.0.2924.87 Safari/537.36"
                + " SkypeUriPreview Preview/0.5",
    })
    void theirLinkPreviewersAndCrawlersStayBots(String userAgent) {
        assertTrue(stored(userAgent).isBot(), userAgent);
    }

    /** The players and browsers of TVs and set-top boxes, which Yauaa's agent class calls Special, are people's. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Roku/DVP-12.5 (12.5.0.4178-51)| set-top_box",
        "AppleCoreMedia/1.0.0.20K71 (Apple TV; U; CPU OS 16_1 like Mac OS X; en_us)| set-top_box",
        "AppleTV11,1/11.1| set-top_box",
        "HbbTV/1.1.1 (;Samsung;SmartTV2013;T-FXPDEUC-1102.2;;) WebKit| tv",
        "(Linux armv7l ; U; HbbTV/1.1.1 (; TOSHIBA; 32SL863; 19.2.39.208; 3; ) ; ToshibaTP/1.1.1 () ; en)| tv",
        // Browsers of TVs and boxes that were never caught, to show the rule did not move.
        "Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 76.0.3809.146/6.0 TV Safari/537.36| tv",
        "Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.225 Safari/537.36"
                + " CrKey/1.56.500000 DeviceType/Chromecast| set-top_box",
    })
    void tvsAndSetTopBoxesAreNotBots(String userAgent, String deviceType) {
        StoredEvent s = stored(userAgent);
        assertFalse(s.isBot(), userAgent);
        assertEquals(deviceType, s.deviceType());
    }

    /** Robots, monitors and headless browsers stay bots, by Yauaa's classes or by the crawler list. */
    @ParameterizedTest
    @ValueSource(strings = {
        RawEvents.GOOGLEBOT,
        "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0"
                + " Safari/537.36",
        "python-requests/2.31.0",
    })
    void robotsStayBots(String userAgent) {
        assertTrue(stored(userAgent).isBot(), userAgent);
    }

    /**
     * An app's in-app browser is stored as the app, with the app's major version, where Yauaa knows the app; as the
     * engine where it does not.
     */
    @ParameterizedTest(name = "{1} {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
                + " [FBAN/FBIOS;FBAV/444.0.0.45.111;FBBV/553311427;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.1.2;"
                + "FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/80]| Facebook App| 444| iOS",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/445.0.0.34.118;]"
                + "| Facebook App| 445| Android",
        "Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Version/4.0 Chrome/119.0.6045.193 Mobile Safari/537.36 Instagram 309.1.0.41.113 Android (33/13; 450dpi;"
                + " 1080x2177; samsung; SM-A536B; a53x; s5e8825; en_GB; 541635877)| Instagram| 309| Android",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
                + " [LinkedInApp]/9.29.7467| LinkedIn| -| iOS",
        "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Version/4.0 Chrome/117.0.5938.153 Mobile Safari/537.36 [LinkedInApp]/4.1.881| LinkedIn| -| Android",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.230803.041; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36 Snapchat/12.65.0.35 (like Chrome/120.0.6099.144)"
                + "| Snapchat| 12| Android",
        "Mozilla/5.0 (Linux; Android 13; SM-G998B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 Line/13.21.1/IAB| Line| 13| Android",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
                + " GSA/289.0.578778536 Mobile/15E148 Safari/604.1| Google Search App| 289| iOS",
        // Apps Yauaa already names as the agent, to show they did not move.
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
                + " Instagram 312.0.2.18.117 (iPhone15,2; iOS 17_2; en_US; en; scale=3.00; 1179x2556; 549226458)"
                + "| Instagram| 312| iOS",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
                + " musical_ly_32.5.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US WKWebView/1"
                + " BytedanceWebview/d8a21c6| TikTok| 32| iOS",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
                + " MicroMessenger/8.0.42(0x18002a2f) NetType/WIFI Language/zh_CN| WeChat| 8| iOS",
        // An app Yauaa does not know keeps the engine.
        "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Version/4.0 Chrome/118.0.0.0 Mobile Safari/537.36| Chrome Webview| 118| Android",
    })
    void inAppBrowsersAreNamedAfterTheirApp(String userAgent, String browser, String version, String os) {
        StoredEvent s = stored(userAgent);
        assertEquals(browser, s.browser());
        assertEquals(version, s.browserVersion());
        assertEquals(os, s.os());
        assertEquals("phone", s.deviceType());
        assertFalse(s.isBot());
    }
}
