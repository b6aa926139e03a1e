package io.footfall.app.collector.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Plays one case's script over a plain socket and reads the answers. Writing stops as soon as the server
 * has said something (or refuses more bytes), so an early 413 or 408 is read rather than lost to a reset.
 */
final class Exchange {

    /** Far above the collector's 1 s read timeout in the test; a case with no answer by then has hung. */
    static final int ANSWER_WAIT_MILLIS = 8_000;

    private Exchange() {
    }

    static List<Observed> run(int port, Script script, int responses) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(ANSWER_WAIT_MILLIS);
            // One buffered stream for both directions' bookkeeping, so that send() can peek at an answer.
            java.io.BufferedInputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            send(socket, in, script);
            boolean head = new String(script.bytes(), 0, Math.min(5, script.bytes().length), StandardCharsets.ISO_8859_1)
                    .startsWith("HEAD ");
            return read(in, responses, head);
        } catch (IOException e) {
            return List.of(Observed.closed());
        }
    }

    private static void send(Socket socket, java.io.BufferedInputStream in, Script script) throws IOException {
        OutputStream out = socket.getOutputStream();
        try {
            for (Script.Step step : script.steps()) {
                if (in.available() > 0 && !interimContinue(in)) {
                    return; // answered already: stop talking, listen
                }
                if (step instanceof Script.Bytes b) {
                    write(out, b.bytes());
                } else if (step instanceof Script.Pause p) {
                    out.flush();
                    Thread.sleep(p.millis());
                } else {
                    socket.shutdownOutput();
                    return;
                }
            }
            out.flush();
        } catch (IOException e) {
            // the server closed or reset while we were still sending: what it said before is the answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether what the server has sent so far is a {@code 100 Continue} (an invitation to send the body, as
     * a client that asked with {@code Expect: 100-continue} is owed), not an answer. Peeks without consuming.
     */
    private static boolean interimContinue(java.io.BufferedInputStream in) throws IOException {
        byte[] start = "HTTP/1.1 100".getBytes(StandardCharsets.ISO_8859_1);
        in.mark(start.length);
        try {
            byte[] got = in.readNBytes(start.length);
            return java.util.Arrays.equals(got, start);
        } finally {
            in.reset();
        }
    }

    /** Writes in slices so that a server answering early is noticed between them. */
    private static void write(OutputStream out, byte[] bytes) throws IOException {
        int slice = 64 * 1024;
        for (int off = 0; off < bytes.length; off += slice) {
            out.write(bytes, off, Math.min(slice, bytes.length - off));
        }
    }

    private static List<Observed> read(InputStream in, int responses, boolean head) {
        List<Observed> seen = new ArrayList<>();
        for (int i = 0; i < responses; i++) {
            Observed one = readOne(in, head);
            seen.add(one);
            if (one.kind() != Observed.Kind.RESPONSE) {
                break;
            }
        }
        return seen;
    }

    private static Observed readOne(InputStream in, boolean headRequest) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return head.size() == 0 ? Observed.closed() : partial(head);
                }
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.")) {
                return partial(head);
            }
            int status = Integer.parseInt(text.substring(9, 12));
            byte[] body = headRequest || status == 204 || status == 304 ? new byte[0] : in.readNBytes(contentLength(text));
            return Observed.response(status, text, new String(body, StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            return head.size() == 0 ? Observed.hung() : partial(head);
        } catch (IOException e) {
            return head.size() == 0 ? Observed.closed() : partial(head);
        }
    }

    /** Bytes that are not an HTTP response: counted as a hung/garbled exchange, never as a pass. */
    private static Observed partial(ByteArrayOutputStream head) {
        return new Observed(Observed.Kind.HUNG, 0, null, -1, List.of(), head.toString(StandardCharsets.ISO_8859_1));
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }
}
