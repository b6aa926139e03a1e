package io.footfall.app.bench;

import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * Realistic synthetic traffic: a skewed path popularity, a browser / bot user-agent mix, referrers from
 * search, social, email and direct visits, UTM campaigns on some landings, and custom events.
 */
final class EventMix {

    static final List<String> USER_AGENTS = List.of(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
            "curl/8.5.0");
    /** Share of requests from the last four (crawler) user agents: about 10%. */
    private static final double BOT_SHARE = 0.10;
    private static final List<String> REFERRERS = List.of(
            "https://www.google.com/", "https://www.bing.com/search?q=footfall", "https://duckduckgo.com/",
            "https://t.co/abc", "https://www.facebook.com/", "https://www.linkedin.com/feed/",
            "https://mail.google.com/", "https://news.ycombinator.com/", "https://example.org/blog/post");
    private static final List<String> CAMPAIGNS = List.of("spring_sale", "newsletter_42", "launch", "retargeting");
    private static final List<String> EVENTS = List.of("signup", "add_to_cart", "download", "play_video");

    private final int sites;
    private final int visitors;
    private final int paths;

    EventMix(int sites, int visitors, int paths) {
        this.sites = sites;
        this.visitors = visitors;
        this.paths = paths;
    }

    /** The sites the events go to. */
    List<String> sites() {
        return IntStream.range(0, sites).mapToObj(EventMix::site).toList();
    }

    private static String site(int i) {
        return "site" + i + ".bench";
    }

    /** One user agent for a whole request (a batch comes from one client). */
    String userAgent(SplittableRandom random) {
        if (random.nextDouble() < BOT_SHARE) {
            return USER_AGENTS.get(USER_AGENTS.size() - 1 - random.nextInt(4));
        }
        return USER_AGENTS.get(random.nextInt(USER_AGENTS.size() - 4));
    }

    /** Appends one event as JSON to {@code out}. */
    void appendEvent(StringBuilder out, SplittableRandom random) {
        String site = site(random.nextInt(sites));
        int path = skewed(random, paths);
        boolean custom = random.nextInt(10) == 0;
        out.append("{\"site\":\"").append(site).append("\",\"type\":\"").append(custom ? "event" : "pageview")
                .append("\",\"event_id\":\"").append(UUID.randomUUID()).append('"');
        if (custom) {
            out.append(",\"name\":\"").append(EVENTS.get(random.nextInt(EVENTS.size()))).append('"');
        }
        out.append(",\"url\":\"https://").append(site).append("/page/").append(path);
        if (random.nextInt(20) == 0) {
            out.append("?utm_source=newsletter&utm_medium=email&utm_campaign=")
                    .append(CAMPAIGNS.get(random.nextInt(CAMPAIGNS.size())));
        }
        out.append('"');
        int r = random.nextInt(3);
        if (r == 0) {
            out.append(",\"referrer\":\"").append(REFERRERS.get(random.nextInt(REFERRERS.size()))).append('"');
        } else if (r == 1) {
            out.append(",\"referrer\":\"https://").append(site).append("/page/").append(skewed(random, paths)).append('"');
        }
        out.append(",\"visitor_id\":\"v").append(random.nextInt(visitors)).append('"')
                .append(",\"screen\":\"1920x1080\",\"language\":\"en-GB\"}");
    }

    /** Zipf-like: low numbers are far more popular, as page paths are. */
    private static int skewed(SplittableRandom random, int n) {
        double u = random.nextDouble();
        return (int) Math.min(n - 1, Math.floor(Math.pow(n, u * u)));
    }
}
