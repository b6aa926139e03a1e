package io.footfall.collector.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.core.config.ConfigException;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientAddressTest {

    static final ClientAddress BEHIND_LB = ClientAddress.trusting(List.of("10.0.0.0/8", "192.168.1.1", "fd00::/8"));

    static InetSocketAddress peer(String ip) {
        return new InetSocketAddress(ip, 1234);
    }

    @ParameterizedTest(name = "peer {0}, X-Forwarded-For ''{1}'' → {2}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.5    | 198.51.100.9                       | 198.51.100.9",
            "10.0.0.5    | 1.2.3.4, 198.51.100.9              | 198.51.100.9",
            "10.0.0.5    | 198.51.100.9, 10.2.2.2             | 198.51.100.9",
            "10.0.0.5    | 198.51.100.9, 10.2.2.2, 192.168.1.1 | 198.51.100.9",
            "10.0.0.5    | 10.3.3.3, 10.2.2.2                 | 10.3.3.3",
            "10.0.0.5    | not-an-ip                          | 10.0.0.5",
            "10.0.0.5    | 1.2.3.4, junk                      | 10.0.0.5",
            "10.0.0.5    | 2001:db8::1                        | 2001:db8::1",
            "10.0.0.5    | 198.51.100.9:51234                 | 198.51.100.9",
            "10.0.0.5    | '[2001:db8::1]:443'                | 2001:db8::1",
            "10.0.0.5    | 198.51.100.9:443, 10.2.2.2:8080    | 198.51.100.9",
            "192.168.1.1 | 198.51.100.9                       | 198.51.100.9",
            "192.168.1.2 | 198.51.100.9                       | 192.168.1.2",
            "203.0.113.5 | 198.51.100.9                       | 203.0.113.5",
            "203.0.113.5 | 10.0.0.1                           | 203.0.113.5",
            "fd12::1     | 198.51.100.9                       | 198.51.100.9",
            "2001:db8::5 | 198.51.100.9                       | 2001:db8::5"})
    void forwardedForIsBelievedOnlyFromTrustedProxies(String peer, String header, String expected) {
        assertEquals(expected, BEHIND_LB.resolve(peer(peer), header));
    }

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        assertEquals("203.0.113.5", ClientAddress.trusting(List.of()).resolve(peer("203.0.113.5"), "1.1.1.1"));
    }

    @Test
    void noHeaderMeansThePeer() {
        assertEquals("10.0.0.5", BEHIND_LB.resolve(peer("10.0.0.5"), null));
    }

    @Test
    void unknownPeerIsNull() {
        assertNull(BEHIND_LB.resolve(null, "1.2.3.4"));
    }

    @Test
    void veryLongChainIsReadOnlyAFewHopsFromTheRight() {
        String header = "198.51.100.9, " + "10.0.0.1, ".repeat(1000) + "10.0.0.2";
        assertEquals("10.0.0.1", BEHIND_LB.resolve(peer("10.0.0.5"), header));
    }

    @ParameterizedTest(name = "bad entry ''{0}''")
    @ValueSource(strings = {"10.0.0.0/33", "proxy.internal", "10.0.0/8", "fd00::/129", "10.0.0.0/x", "300.1.1.1"})
    void badTrustedProxyFailsNamingTheKey(String cidr) {
        ConfigException e = assertThrows(ConfigException.class, () -> ClientAddress.trusting(List.of(cidr)));
        assertTrue(e.getMessage().startsWith("collector.trustedProxies: "), e.getMessage());
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({"10.0.0.0/8, 10.255.1.1, true", "10.0.0.0/8, 11.0.0.1, false", "172.16.0.0/12, 172.31.255.255, true",
            "172.16.0.0/12, 172.32.0.1, false", "0.0.0.0/0, 8.8.8.8, true", "1.2.3.4, 1.2.3.4, true", "1.2.3.4, 1.2.3.5, false",
            "fd00::/8, fd99::1, true", "fd00::/8, fe80::1, false", "10.0.0.0/8, ::1, false"})
    void cidrMatching(String cidr, String address, boolean expected) {
        assertEquals(expected, CidrBlock.parse(cidr).contains(io.netty.util.NetUtil.createByteArrayFromIpAddressString(address)));
    }
}
