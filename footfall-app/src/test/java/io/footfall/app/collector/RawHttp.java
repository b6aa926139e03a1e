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
