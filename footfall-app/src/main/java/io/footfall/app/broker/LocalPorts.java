package io.footfall.app.broker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Start-up checks of the ports a process is about to listen on, so that a taken one is refused first, in one line. */
public final class LocalPorts {

    private LocalPorts() {
    }

    /**
     * @param what names the port in the message: its setting ("collector.port"), or what it is ("Kafka port")
     * @param port 0 (any free port) is always fine
     * @throws IllegalStateException when something else listens there
     */
    public static void requireFree(String what, String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw taken(what, host, port, e);
        }
    }

    /** The one-line start-up failure for a port that cannot be bound, naming the setting to change when there is one. */
    public static IllegalStateException taken(String what, String host, int port, IOException cause) {
        return new IllegalStateException(what + " " + host + ":" + port + " cannot be bound: already in use or not permitted"
                + (cause instanceof java.net.BindException ? "" : " (" + cause.getMessage() + ")")
                + (what.contains(".") ? "; set another " + what + ", or 0 for a free one" : ""));
    }
}
