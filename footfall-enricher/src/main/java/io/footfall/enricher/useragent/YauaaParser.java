package io.footfall.enricher.useragent;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user-agent parser backed by Yauaa. Building an analyzer takes seconds and ~100 MB of matchers, so
 * there is one per process, built on first use and shared by every stream thread; Yauaa's {@code parse}
 * is synchronized, which costs little because {@link CachingParser} answers repeated user agents first.
 * Only the fields footfall stores are requested, which lets Yauaa skip most of its rules.
 */
public final class YauaaParser implements UserAgentParser {

    private static final Logger LOG = LoggerFactory.getLogger(YauaaParser.class);

    /**
     * Yauaa's device and agent classes that are not people: robots, hackers and cloud-hosted agents. Not its agent
     * class Special, "something special we cannot really classify": for its own examples, the players and browsers of
     * TVs and set-top boxes (Roku, Apple TV, HbbTV), feature phones, text browsers, media and office apps; a robot it
     * calls Special has the device class Robot, and each of the ~280 examples of the crawler list that it calls
     * Special is matched by the list too.
     */
    private static final Set<String> BOT_CLASSES = Set.of("Robot", "Robot Mobile", "Robot Imitator", "Hacker",
            "Cloud", "Cloud Application");

    /** Yauaa's agent class of a browser engine embedded in an app. */
    private static final String WEBVIEW = "Browser Webview";
    private static final List<String> PLATFORM_SUFFIXES = List.of(" for iOS", " for Android");

    private static final class Holder {
        static final UserAgentAnalyzer ANALYZER = build();
    }

    /** Whether the analyzer is built (or its build failed): parsing no longer waits for it. */
    private static volatile boolean built;

    private static UserAgentAnalyzer build() {
        long start = System.nanoTime();
        UserAgentAnalyzer analyzer = UserAgentAnalyzer.newBuilder()
                .withFields(UserAgent.AGENT_NAME, UserAgent.AGENT_VERSION_MAJOR, UserAgent.OPERATING_SYSTEM_NAME,
                        UserAgent.OPERATING_SYSTEM_VERSION_MAJOR, UserAgent.DEVICE_CLASS, UserAgent.AGENT_CLASS,
                        UserAgent.WEBVIEW_APP_NAME, UserAgent.WEBVIEW_APP_VERSION_MAJOR)
                .withoutCache()
                .hideMatcherLoadStats()
                .dropTests()
                .immediateInitialization()
                .build();
        LOG.info("event=yauaa_ready build_ms={}", (System.nanoTime() - start) / 1_000_000);
        built = true;
        return analyzer;
    }

    /** Whether a parse would run now rather than wait for the analyzer's build. */
    public static boolean built() {
        return built;
    }

    /** The process-wide parser; the first call builds the analyzer. */
    public static YauaaParser shared() {
        return Shared.INSTANCE;
    }

    private static final class Shared {
        static final YauaaParser INSTANCE = new YauaaParser();
    }

    private YauaaParser() {
    }

    /**
     * Starts building the analyzer on a background thread if nobody has yet, and returns at once; {@code then}
     * runs once it is built (or its build failed, which the first parse then reports). Hosts call it when they
     * start: the seconds of building overlap the broker connection and the first rebalance, instead of being
     * spent inside a stream thread's first transaction.
     */
    public static void warmUpInBackground(Runnable then) {
        Thread builder = new Thread(() -> {
            try {
                Holder.ANALYZER.getAllPossibleFieldNamesSorted();
            } catch (Throwable e) {
                LOG.error("event=yauaa_build_failed error=\"{}\"", e);
            } finally {
                built = true;
                then.run();
            }
        }, "yauaa-warm-up");
        builder.setDaemon(true);
        builder.start();
    }

    @Override
    public UserAgentInfo parse(String userAgent) {
        UserAgent.ImmutableUserAgent ua = Holder.ANALYZER.parse(userAgent);
        String deviceClass = ua.getValue(UserAgent.DEVICE_CLASS);
        String agentClass = ua.getValue(UserAgent.AGENT_CLASS);
        boolean bot = BOT_CLASSES.contains(deviceClass) || BOT_CLASSES.contains(agentClass);
        // An app's in-app browser is the app ("Facebook App", "Instagram", "LinkedIn"), not the engine Yauaa names
        // the agent after ("Chrome Webview", "UIWebView"); an app it does not know keeps the engine.
        String app = WEBVIEW.equals(agentClass) ? webviewApp(ua) : null;
        // Major versions only: one row per population in a breakdown (Chrome's own UA says 131.0.0.0, others
        // 131.0.6778.81; Windows 10 and 11 send the same "10.0").
        String os = known(ua, UserAgent.OPERATING_SYSTEM_NAME);
        return new UserAgentInfo(
                app != null ? app : known(ua, UserAgent.AGENT_NAME),
                known(ua, app != null ? UserAgent.WEBVIEW_APP_VERSION_MAJOR : UserAgent.AGENT_VERSION_MAJOR),
                "Windows NT".equals(os) ? "Windows" : os,
                known(ua, UserAgent.OPERATING_SYSTEM_VERSION_MAJOR),
                deviceClass == null || isUnknown(deviceClass) ? null
                        : deviceClass.toLowerCase(Locale.ROOT).replace(' ', '_'),
                bot);
    }

    /**
     * The app whose in-app browser this is, as Yauaa names it, without the platform it names too ("Facebook App for
     * iOS" and "... for Android" are one app, "Facebook App"; the os column tells them apart), or null when Yauaa
     * does not know the app ("Unknown Webview App").
     */
    private static String webviewApp(UserAgent.ImmutableUserAgent ua) {
        String app = known(ua, UserAgent.WEBVIEW_APP_NAME);
        if (app == null || app.startsWith("Unknown")) {
            return null;
        }
        for (String platform : PLATFORM_SUFFIXES) {
            if (app.endsWith(platform) && app.length() > platform.length()) {
                return app.substring(0, app.length() - platform.length());
            }
        }
        return app;
    }

    private static String known(UserAgent.ImmutableUserAgent ua, String field) {
        String value = ua.getValue(field);
        return value == null || isUnknown(value) ? null : value;
    }

    private static boolean isUnknown(String value) {
        return value.isEmpty() || value.equals("Unknown") || value.contains("??") || value.startsWith("Hacker");
    }
}
