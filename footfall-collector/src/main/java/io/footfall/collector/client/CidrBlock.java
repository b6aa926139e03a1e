package io.footfall.collector.client;

import io.netty.util.NetUtil;

/** An IPv4 or IPv6 address block such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a /32 or /128. */
record CidrBlock(byte[] network, int prefixBits) {

    /**
     * Parses without any DNS lookup: only address literals are accepted.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static CidrBlock parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block");
        }
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
            }
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bytes.length * 8);
            }
        }
        return new CidrBlock(bytes, bits);
    }

    boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefixBits / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixBits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }
}
