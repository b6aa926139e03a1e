package io.footfall.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ClientIpsTest {

    @Test
    void ipv4KeepsItsSlash24() {
        assertEquals("203.0.113.0", ClientIps.anonymise("203.0.113.7"));
        assertEquals("203.0.113.0", ClientIps.anonymise("203.0.113.255"));
        assertEquals("10.1.2.0", ClientIps.anonymise("10.1.2.3"));
        assertEquals("0.0.0.0", ClientIps.anonymise("0.0.0.0"));
        assertEquals("255.255.255.0", ClientIps.anonymise("255.255.255.255"));
    }

    @Test
    void ipv6KeepsItsSlash48() {
        assertEquals("2001:db8:1:0:0:0:0:0", ClientIps.anonymise("2001:db8:1:2:3:4:5:6"));
        assertEquals("2001:db8:1:0:0:0:0:0", ClientIps.anonymise("2001:db8:1::"));
        assertEquals("2001:db8:ab:0:0:0:0:0", ClientIps.anonymise("2001:DB8:AB:ffff::1"));
        assertEquals("0:0:0:0:0:0:0:0", ClientIps.anonymise("::1"));
    }

    @Test
    void aSixToFourAddressDoesNotKeepItsEmbeddedIpv4Address() {
        // 2002:cb00:7107::/48 is 6to4 for 203.0.113.7: the /48 alone would be the whole IPv4 address.
        assertEquals("2002:cb00:7100:0:0:0:0:0", ClientIps.anonymise("2002:cb00:7107::1"));
        assertEquals("2002:cb00:7100:0:0:0:0:0", ClientIps.anonymise("2002:cb00:71ff:1234::1"));
    }

    @Test
    void ipv4MappedIpv6IsTruncatedAsIpv4() throws Exception {
        assertEquals("192.0.2.0", ClientIps.anonymise("::ffff:192.0.2.77"));
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 192;
        mapped[15] = (byte) 77;
        assertEquals("192.0.0.0", ClientIps.anonymise(mapped));
        assertEquals("192.0.2.0", ClientIps.anonymise(InetAddress.getByName("192.0.2.77").getAddress()));
    }

    @Test
    void truncatingTwiceChangesNothing() {
        for (String ip : new String[] {"203.0.113.7", "2001:db8:1:2:3:4:5:6", "::ffff:192.0.2.77", "::1"}) {
            String once = ClientIps.anonymise(ip);
            assertEquals(once, ClientIps.anonymise(once), ip);
        }
    }

    @Test
    void anythingButAnAddressIsNull() {
        assertNull(ClientIps.anonymise((String) null));
        for (String notAnAddress : new String[] {"", "example.com", "cafe", "deadbeef", "1.2.3", "1.2.3.4.5", "256.1.1.1",
                "1.2.3.0004", "1..2.3", ".1.2.3", "1.2.3.", "-1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "2001:db8::1%eth0",
                "2001:db8:::1", "12345::1", "[2001:db8::1]", "unknown"}) {
            assertNull(ClientIps.anonymise(notAnAddress), notAnAddress);
        }
    }
}
