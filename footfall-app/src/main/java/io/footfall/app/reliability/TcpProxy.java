package io.footfall.app.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay on a local port, for the warehouse outage suite and tests: {@link #cut()} closes the listener and every relayed
 * connection (the client sees "connection refused" from then on), {@link #restore()} listens again on the
 * same port.
 */
public final class TcpProxy implements AutoCloseable {

    private final int targetPort;
    private final List<Socket> sockets = new ArrayList<>();
    private volatile ServerSocket server;
    private final int port;

    /** Relays a free local port to {@code 127.0.0.1:targetPort}. */
    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = listen(0);
        this.port = server.getLocalPort();
        accept(server);
    }

    public int port() {
        return port;
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private void accept(ServerSocket listener) {
        Thread t = new Thread(() -> {
            while (!listener.isClosed()) {
                Socket client;
                try {
                    client = listener.accept();
                } catch (IOException e) {
                    if (!listener.isClosed()) {
                        closeQuietly(listener); // not cut(): a failing listener ends the relay, it does not spin
                    }
                    continue; // the loop ends
                }
                // Under the lock that cut() takes: a connection accepted just before a cut is closed, never relayed.
                synchronized (TcpProxy.this) {
                    if (listener != server || listener.isClosed()) {
                        closeQuietly(client);
                        continue;
                    }
                    try {
                        Socket upstream = new Socket();
                        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
                        sockets.add(client);
                        sockets.add(upstream);
                        pump(client, upstream);
                        pump(upstream, client);
                    } catch (IOException e) {
                        closeQuietly(client); // the target refused: the client sees a closed connection
                    }
                }
            }
        }, "tcp-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // one side closed: close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                synchronized (TcpProxy.this) {
                    sockets.remove(from);
                    sockets.remove(to);
                }
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** The warehouse becomes unreachable: no listener, every open connection reset. */
    public synchronized void cut() {
        closeQuietly(server);
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    /** Listens again on the same port. */
    public synchronized void restore() throws IOException {
        server = listen(port);
        accept(server);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing for the outage: nothing to do
        }
    }

    @Override
    public void close() {
        cut();
    }
}
