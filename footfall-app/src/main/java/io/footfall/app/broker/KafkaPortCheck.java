package io.footfall.app.broker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Asks each bootstrap server, once, whether it speaks Kafka, before a Kafka client does: a client pointed at another
 * service's port (PostgreSQL's 5432, an HTTP port) reads that service's first bytes as the length of a response and
 * allocates it, and the process dies of an out-of-memory error with a message about waiting for Kafka. The question is
 * an {@code ApiVersions} request (version 0, which every broker answers before any authentication); the answer's
 * length and correlation id must look like a broker's. A server that cannot be reached, or that closes or stays silent,
 * is left to the clients' own wait: only an answer that no broker gives is refused. Not asked over TLS, where the
 * first bytes are the handshake's.
 */
public final class KafkaPortCheck {

    private static final int TIMEOUT_MS = 2_000;
    private static final short API_VERSIONS = 18;
    private static final int CORRELATION_ID = 0x0F0F0F0F;
    /** A broker's answer to ApiVersions v0 is a few hundred bytes. */
    private static final int MOST_BYTES = 1 << 20;

    private KafkaPortCheck() {
    }

    /**
     * @param securityProtocol the clients' {@code security.protocol} (null: PLAINTEXT)
     * @throws IllegalStateException naming the server whose answer is not Kafka's
     */
    public static void check(String bootstrapServers, String securityProtocol) {
        if (securityProtocol != null && securityProtocol.toUpperCase(java.util.Locale.ROOT).endsWith("SSL")) {
            return;
        }
        for (String server : bootstrapServers.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                continue; // the client's own check names a malformed address
            }
            int port;
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            String host = s.substring(0, colon).replace("[", "").replace("]", "");
            String problem = ask(host, port);
            if (problem != null) {
                throw new IllegalStateException(s + " (kafka.bootstrapServers) answered, but not as a Kafka broker does ("
                        + problem + "): is it another service's port? Kafka's is usually 9092");
            }
        }
    }

    /** @return what is wrong with the answer, or null when it is a broker's or there is none to judge */
    static String ask(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            byte[] clientId = "footfall-port-check".getBytes(StandardCharsets.US_ASCII);
            // One write: a server that answers what it has read and closes would reset the rest away.
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream(), 64));
            out.writeInt(2 + 2 + 4 + 2 + clientId.length);
            out.writeShort(API_VERSIONS);
            out.writeShort(0);
            out.writeInt(CORRELATION_ID);
            out.writeShort(clientId.length);
            out.write(clientId);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] head = new byte[8];
            in.readFully(head);
            int size = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
            int correlation = ((head[4] & 0xFF) << 24) | ((head[5] & 0xFF) << 16) | ((head[6] & 0xFF) << 8) | (head[7] & 0xFF);
            if (size < 4 || size > MOST_BYTES || correlation != CORRELATION_ID) {
                return "its first bytes are " + printable(head);
            }
            return null;
        } catch (IOException e) {
            return null; // unreachable, closed or silent: the clients wait and say so
        }
    }

    private static String printable(byte[] bytes) {
        StringBuilder text = new StringBuilder("'");
        for (byte b : bytes) {
            text.append(b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xFF));
        }
        return text.append("'").toString();
    }
}
