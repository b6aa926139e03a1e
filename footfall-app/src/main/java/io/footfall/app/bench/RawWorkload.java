package io.footfall.app.bench;

import io.footfall.core.event.ClientIps;
import io.footfall.core.event.EventType;
import io.footfall.core.event.RawEvent;
import io.footfall.core.event.VisitorKey;
import io.footfall.core.json.RawEventJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * A realistic {@code footfall.raw} stream for the enricher's integration test and benchmark: visitors
 * returning at random gaps (so sessions split), some UTM campaigns, search/social/other referrers, browser
 * user agents plus crawler user agents from the shipped public corpus, and a given share of exact duplicate
 * records (producer or client retries) and invalid ones. Receive times increase through the stream.
 */
public final class RawWorkload {

    /** What a record is meant to be. */
    public enum Kind { VALID, DUPLICATE, INVALID }

    /**
     * One record for {@code footfall.raw}.
     *
     * @param event the event, null for an invalid record
     * @param reason the reason the enricher must give for an invalid record, else null
     */
    public record Item(byte[] key, byte[] value, Kind kind, RawEvent event, String reason) {
    }

    private final Random random;
    private final int events;
    private final long startMs;
    private final long spanMs;
    private final double dupShare;
    private final double invalidShare;
    private final String[] ips;
    private final String[] agents;
    /** The latest valid records, the ones a retry repeats; bounded so a long benchmark stays small. */
    private final Item[] recent = new Item[5000];
    private int made;
    private int validMade;

    /**
     * @param events       records to make, duplicates and invalid ones included
     * @param startMs      receive time of the first record
     * @param spanMs       receive times spread evenly over this span
     * @param botShare     share of visitors whose user agent is a crawler
     * @param dupShare     share of records that repeat an earlier valid record
     * @param invalidShare share of records the enricher must reject
     * @param botAgents    crawler user agents (a public corpus), used in turn so every one appears
     */
    public RawWorkload(int events, long seed, long startMs, long spanMs, double botShare, double dupShare,
                       double invalidShare, List<String> botAgents) {
        this.random = new Random(seed);
        this.events = events;
        this.startMs = startMs;
        this.spanMs = spanMs;
        this.dupShare = dupShare;
        this.invalidShare = invalidShare;
        List<String> browsers = BrowserAgents.all();
        int visitors = Math.max(10, events / 20);
        this.ips = new String[visitors];
        this.agents = new String[visitors];
        int bots = 0;
        for (int v = 0; v < visitors; v++) {
            // A network of its own per visitor (the cookieless id sees only the network), kept as the collector
            // writes it: truncated.
            ips[v] = ClientIps.anonymise(v % 7 == 0
                    ? "2001:" + Integer.toHexString(0xdb8 + (v >> 16)) + ":" + Integer.toHexString(v & 0xffff) + "::"
                            + Integer.toHexString(random.nextInt(65535))
                    : (10 + (v >> 16)) + "." + (v >> 8 & 255) + "." + (v & 255) + "." + (1 + random.nextInt(254)));
            agents[v] = random.nextDouble() < botShare ? botAgents.get(bots++ % botAgents.size())
                    : browsers.get(random.nextInt(browsers.size()));
        }
    }

    public static List<Item> generate(int events, long seed, long startMs, long spanMs, double botShare,
                                      double dupShare, double invalidShare, List<String> botAgents) {
        RawWorkload workload = new RawWorkload(events, seed, startMs, spanMs, botShare, dupShare, invalidShare, botAgents);
        List<Item> out = new ArrayList<>(events);
        while (workload.hasNext()) {
            out.add(workload.next());
        }
        return out;
    }

    public boolean hasNext() {
        return made < events;
    }

    public Item next() {
        long receivedAt = startMs + spanMs * made / Math.max(1, events);
        made++;
        double roll = random.nextDouble();
        if (roll < dupShare && validMade > 0) {
            Item original = recent[random.nextInt(Math.min(validMade, recent.length))];
            return new Item(original.key(), original.value(), Kind.DUPLICATE, original.event(), null);
        }
        if (roll < dupShare + invalidShare) {
            return invalid(random, receivedAt);
        }
        int v = random.nextInt(ips.length);
        RawEvent e = event(random, receivedAt, ips[v], agents[v]);
        Item item = new Item(VisitorKey.of(e), RawEventJson.encode(e), Kind.VALID, e, null);
        recent[validMade++ % recent.length] = item;
        return item;
    }

    /** Distinct user agents the visitors use. */
    public long distinctAgents() {
        return java.util.Arrays.stream(agents).distinct().count();
    }

    private static final String[] SITES = {"shop.test", "blog.test", "docs.test"};
    private static final String[] REFERRERS = {null, null, null, "https://www.google.com/search?q=red+shoes",
            "https://www.bing.com/search?q=shoes", "https://l.facebook.com/l.php", "https://t.co/abc",
            "https://news.ycombinator.com/", "https://someblog.example/post", "https://mail.google.com/mail/u/0/"};
    private static final String[] CAMPAIGNS = {"spring", "summer", "newsletter-12"};

    private static RawEvent event(Random random, long receivedAt, String ip, String ua) {
        String site = SITES[Math.floorMod(ip.hashCode(), SITES.length)];
        StringBuilder url = new StringBuilder("https://").append(site).append("/p/").append(random.nextInt(200));
        if (random.nextInt(20) == 0) {
            url.append("?utm_source=news&utm_medium=email&utm_campaign=").append(CAMPAIGNS[random.nextInt(CAMPAIGNS.length)]);
        } else if (random.nextInt(20) == 0) {
            url.append("?fbclid=IwAR").append(Long.toHexString(random.nextLong())).append("&ref=").append(random.nextInt(9));
        }
        String referrer = REFERRERS[random.nextInt(REFERRERS.length)];
        boolean custom = random.nextInt(10) == 0;
        return new RawEvent(UUID.randomUUID().toString(), site, custom ? EventType.EVENT : EventType.PAGEVIEW,
                custom ? "signup" : null, url.toString(), referrer, "Page " + random.nextInt(200), null, null,
                "1920x1080", "en-GB", "Europe/London", custom ? "{\"plan\":\"pro\",\"seats\":3}" : null, receivedAt, ip, ua);
    }

    private static Item invalid(Random random, long receivedAt) {
        String id = UUID.randomUUID().toString();
        String tail = ",\"received_at\":" + receivedAt + ",\"ip\":\"10.9.9.9\",\"ua\":\"x\"}";
        return switch (random.nextInt(4)) {
            case 0 -> item("{\"event_id\":\"" + id + "\",\"site\":\"Not A Site!\",\"type\":\"pageview\"" + tail, "invalid_site");
            case 1 -> item("{\"event_id\":\"" + id + "\",\"site\":\"shop.test\",\"type\":\"pageview\",\"url\":\"ftp://x\"" + tail,
                    "invalid_url");
            case 2 -> item("{\"site\":\"shop.test\",\"type\":\"pageview\"" + tail, "missing_event_id");
            default -> item("{\"event_id\":\"" + id + "\",\"site\":\"shop.test\",\"type\":" + tail, "unreadable");
        };
    }

    private static Item item(String json, String reason) {
        byte[] value = json.getBytes(StandardCharsets.UTF_8);
        return new Item(new byte[]{(byte) json.length()}, value, Kind.INVALID, null, reason);
    }

}
