package io.footfall.enricher.url;

import java.text.Normalizer;
import java.util.Locale;

/**
 * One form for an internationalised host name: its ASCII form, {@code xn--} labels ({@code bücher.example} →
 * {@code xn--bcher-kva.example}). That is the form browsers send: {@code location.href}, {@code document.referrer}
 * and the {@code Referer} header all serialise a host in ASCII, so the rows of tracked pages and their referrers
 * already have it, and a URL written by hand or by a server ({@code https://bücher.example/}) is stored as they are.
 * It also shows a look-alike host ({@code xn--80ak6aa92e.com}) for what it is.
 *
 * <p>Labels are mapped as browsers map them before encoding, as far as it matters for real hosts: compatibility
 * forms normalised (NFKC: a full-width letter or dot is the plain one), lower case. Not with {@link java.net.IDN}:
 * it implements IDNA2003, which turns {@code straße.de} into {@code strasse.de}, another domain, where browsers send
 * {@code xn--strae-oqa.de}; the encoding here is Punycode (RFC 3492) itself.
 */
public final class HostNames {

    private static final int BASE = 36, T_MIN = 1, T_MAX = 26, SKEW = 38, DAMP = 700, INITIAL_BIAS = 72, INITIAL_N = 128;

    private HostNames() {
    }

    /**
     * The ASCII form of a lower-case host: the host itself when it is ASCII already; unchanged when a label cannot
     * be encoded (longer than any real label by far).
     */
    public static String ascii(String host) {
        if (host == null || isAscii(host)) {
            return host;
        }
        String mapped = Normalizer.normalize(host, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).replace('\u3002', '.');
        StringBuilder out = new StringBuilder(mapped.length() + 16);
        int start = 0;
        while (true) {
            int dot = mapped.indexOf('.', start);
            String label = mapped.substring(start, dot < 0 ? mapped.length() : dot);
            if (isAscii(label)) {
                out.append(label);
            } else {
                String encoded = punycode(label);
                if (encoded == null) {
                    return host;
                }
                out.append("xn--").append(encoded);
            }
            if (dot < 0) {
                return out.toString();
            }
            out.append('.');
            start = dot + 1;
        }
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3492's encoding of a label (without the {@code xn--} prefix), or null when it overflows. */
    static String punycode(String label) {
        int[] input = label.codePoints().toArray();
        StringBuilder out = new StringBuilder(input.length * 2);
        for (int c : input) {
            if (c < INITIAL_N) {
                out.append((char) c);
            }
        }
        int basic = out.length();
        if (basic > 0) {
            out.append('-');
        }
        int n = INITIAL_N, delta = 0, bias = INITIAL_BIAS;
        for (int handled = basic; handled < input.length; n++) {
            int m = Integer.MAX_VALUE;
            for (int c : input) {
                if (c >= n && c < m) {
                    m = c;
                }
            }
            if ((long) (m - n) * (handled + 1) > Integer.MAX_VALUE - delta) {
                return null;
            }
            delta += (m - n) * (handled + 1);
            n = m;
            for (int c : input) {
                if (c < n && ++delta == Integer.MAX_VALUE) {
                    return null;
                }
                if (c == n) {
                    int q = delta;
                    for (int k = BASE; ; k += BASE) {
                        int t = k <= bias ? T_MIN : Math.min(k - bias, T_MAX);
                        if (q < t) {
                            break;
                        }
                        out.append(digit(t + (q - t) % (BASE - t)));
                        q = (q - t) / (BASE - t);
                    }
                    out.append(digit(q));
                    bias = adapt(delta, handled + 1, handled == basic);
                    delta = 0;
                    handled++;
                }
            }
            delta++;
        }
        return out.toString();
    }

    private static int adapt(int delta, int points, boolean first) {
        delta = first ? delta / DAMP : delta / 2;
        delta += delta / points;
        int k = 0;
        while (delta > ((BASE - T_MIN) * T_MAX) / 2) {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        return k + (BASE - T_MIN + 1) * delta / (delta + SKEW);
    }

    private static char digit(int d) {
        return (char) (d < 26 ? 'a' + d : '0' + d - 26);
    }
}
