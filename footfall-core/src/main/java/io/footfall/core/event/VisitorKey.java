package io.footfall.core.event;

/**
 * The Kafka record key of an event: a hash of who sent it, so that one partition (and so one enricher
 * instance and one session store) sees all of a visitor's events in order.
 *
 * <p>64-bit FNV-1a, not a cryptographic hash: the key only has to be stable and well spread. It is
 * computed from the site's own visitor id when the event carries one, otherwise from (site, client network,
 * user agent) — the same inputs as the cookieless visitor id, minus the daily salt.
 */
public final class VisitorKey {

    private static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private VisitorKey() {
    }

    public static byte[] of(String site, String visitorId, String clientIp, String userAgent) {
        long h = mix(OFFSET, site);
        if (visitorId != null) {
            h = mix(mix(h, "\u0001"), visitorId);
        } else {
            // The network, as the enricher's cookieless id sees it: one visitor, one partition, whoever wrote the record.
            h = mix(mix(mix(h, "\u0002"), ClientIps.anonymise(clientIp)), userAgent);
        }
        byte[] key = new byte[8];
        for (int i = 7; i >= 0; i--) {
            key[i] = (byte) h;
            h >>>= 8;
        }
        return key;
    }

    public static byte[] of(RawEvent e) {
        return of(e.site(), e.visitorId(), e.clientIp(), e.userAgent());
    }

    private static long mix(long h, String s) {
        if (s == null) {
            return (h ^ 0xff) * PRIME;
        }
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * PRIME;
        }
        return (h ^ 0xfe) * PRIME;
    }
}
