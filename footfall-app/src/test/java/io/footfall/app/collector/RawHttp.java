package io.footfall.app.collector;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Bytes over a plain socket, for requests no polite HTTP client would send (floods, drips, bad lengths). */
final class RawHttp implements AutoCloseable {

    private final Socket socket;

    RawHttp(int port) {
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(15_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawHttp write(String text) {
        try {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Everything the server sends until it closes the connection (or 15 s pass). */
    String readUntilClosed() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open: " + out.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            // reset after the answer: what was read is the answer
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** One response on a kept-alive connection: headers, then Content-Length bytes of body. */
    String readResponse() {
        try {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (!out.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new AssertionError("connection closed before a response: " + out.toString(StandardCharsets.ISO_8859_1));
                }
                out.write(b);
            }
            String head = out.toString(StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
            return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new AssertionError("connection failed before a response", e);
        }
    }

    static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
