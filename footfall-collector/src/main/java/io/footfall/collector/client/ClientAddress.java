package io.footfall.collector.client;

import io.footfall.core.config.ConfigException;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who sent a request: the connection's peer address, or — only when that peer is one of the configured
 * trusted proxies — the nearest untrusted address in {@code X-Forwarded-For}.
 *
 * <p>The header is read right to left: each trusted proxy appends the address it saw, so the rightmost
 * entry not written by a trusted proxy is the first one a client could not forge. A header from an
 * untrusted peer is ignored entirely.
 */
public final class ClientAddress {

    /** More hops than any real proxy chain; a longer header is read only this far from the right. */
    private static final int MAX_HOPS = 16;

    private final List<CidrBlock> trusted;

    private ClientAddress(List<CidrBlock> trusted) {
        this.trusted = trusted;
    }

    /**
     * @param cidrs the {@code collector.trustedProxies} entries
     * @throws ConfigException naming {@code collector.trustedProxies} when an entry is not a CIDR block
     */
    public static ClientAddress trusting(List<String> cidrs) {
        List<CidrBlock> blocks = new ArrayList<>(cidrs.size());
        for (String cidr : cidrs) {
            try {
                blocks.add(CidrBlock.parse(cidr));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("collector.trustedProxies: " + e.getMessage());
            }
        }
        return new ClientAddress(List.copyOf(blocks));
    }

    /**
     * @param peer          the connection's remote address
     * @param forwardedFor  the {@code X-Forwarded-For} header, or null
     * @return the client's IP address as text, or null when unknown
     */
    public String resolve(SocketAddress peer, String forwardedFor) {
        if (!(peer instanceof InetSocketAddress socket) || socket.getAddress() == null) {
            return null;
        }
        InetAddress address = socket.getAddress();
        String peerText = NetUtil.toAddressString(address);
        if (forwardedFor == null || trusted.isEmpty() || !isTrusted(address.getAddress())) {
            return peerText;
        }
        String[] hops = forwardedFor.split(",");
        String client = peerText;
        for (int i = hops.length - 1, seen = 0; i >= 0 && seen < MAX_HOPS; i--, seen++) {
            byte[] hop = NetUtil.createByteArrayFromIpAddressString(withoutPort(hops[i].trim()));
            if (hop == null) {
                // Garbage where an address should be: stop trusting the chain here.
                return client;
            }
            client = NetUtil.bytesToIpAddress(hop);
            if (!isTrusted(hop)) {
                return client;
            }
        }
        return client;
    }

    /**
     * A hop without the port some proxies add: {@code 203.0.113.9:51234} and {@code [2001:db8::1]:443} (a bare IPv6
     * address has several colons and stays as it is).
     */
    static String withoutPort(String hop) {
        if (hop.startsWith("[")) {
            int close = hop.indexOf(']');
            return close < 0 ? hop : hop.substring(1, close);
        }
        int colon = hop.indexOf(':');
        return colon > 0 && hop.indexOf(':', colon + 1) < 0 ? hop.substring(0, colon) : hop;
    }

    private boolean isTrusted(byte[] address) {
        for (CidrBlock block : trusted) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
