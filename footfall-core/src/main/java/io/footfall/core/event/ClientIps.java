package io.footfall.core.event;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Client addresses as footfall keeps them: truncated to their network, IPv4 to its /24 and IPv6 to its /48,
 * before anything is stored. The collector writes only the truncated address to {@code footfall.raw}; the
 * enricher truncates again (a no-op for what the collector wrote, and the rule for records written by an
 * older collector or another producer) before it derives the cookieless visitor id and the geo location.
 * A /24 still locates a city; it no longer names a household. A 6to4 address (2002::/16), whose /48 would be
 * its client's whole IPv4 address, keeps that address's /24 (a /40).
 */
public final class ClientIps {

    /** The /48 of an IPv6 address; an IPv4 address keeps its first three bytes (/24). */
    private static final int IPV6_KEPT_BYTES = 6;
    private static final int SIX_TO_FOUR_KEPT_BYTES = 5;

    private ClientIps() {
    }

    /**
     * @param ip an IPv4 address in dotted-quad form or an IPv6 literal (an IPv4-mapped one counts as IPv4),
     *           or null
     * @return the truncated address as text ({@code 203.0.113.0}, {@code 2001:db8:1:0:0:0:0:0}), or null when
     *         {@code ip} is null or not an address (a host name is never looked up)
     */
    public static String anonymise(String ip) {
        if (ip == null) {
            return null;
        }
        byte[] ipv4 = parseIpv4(ip);
        if (ipv4 != null) {
            return anonymise(ipv4);
        }
        if (ip.indexOf(':') < 0 || !isIpv6Text(ip)) {
            return null;
        }
        try {
            // A text with a colon is parsed as an IPv6 literal, never resolved: an invalid one is an exception.
            return anonymise(InetAddress.getByName(ip).getAddress());
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** As {@link #anonymise(String)}, from the address's bytes (4 or 16). */
    public static String anonymise(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + ".0";
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        }
        if (isIpv4Mapped(address)) {
            return anonymise(new byte[] {address[12], address[13], address[14], address[15]});
        }
        byte[] kept = new byte[16];
        // A 6to4 address (2002::/16) carries its client's IPv4 address in bytes 2–5: keep only that address's /24.
        boolean sixToFour = address[0] == 0x20 && address[1] == 0x02;
        System.arraycopy(address, 0, kept, 0, sixToFour ? SIX_TO_FOUR_KEPT_BYTES : IPV6_KEPT_BYTES);
        try {
            return InetAddress.getByAddress(kept).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    private static boolean isIpv4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static boolean isIpv6Text(String ip) {
        if (ip.length() > 45) {
            return false;
        }
        for (int i = 0; i < ip.length(); i++) {
            char c = ip.charAt(i);
            if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                return false; // scope ids ('%') and anything else: not an address we keep
            }
        }
        return true;
    }

    /** The four bytes of a strict dotted quad (each part 0–255, no sign, at most 3 digits), or null. */
    private static byte[] parseIpv4(String ip) {
        byte[] bytes = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= ip.length(); i++) {
            char c = i < ip.length() ? ip.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && part < 4) {
                bytes[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        return part == 4 ? bytes : null;
    }
}
