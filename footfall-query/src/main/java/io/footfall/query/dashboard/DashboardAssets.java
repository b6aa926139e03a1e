package io.footfall.query.dashboard;

import com.sun.net.httpserver.HttpExchange;
import io.footfall.query.http.Exchanges;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The dashboard: hand-written HTML, CSS and JavaScript read once from the classpath and served from
 * memory (about 40 KB; no CDN, no build step). A strict Content-Security-Policy allows only this origin.
 */
public final class DashboardAssets {

    private static final String BASE = "/io/footfall/query/dashboard/";
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "favicon.svg", "image/svg+xml");
    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final Map<String, byte[]> files = new HashMap<>();

    public DashboardAssets() {
        for (String name : TYPES.keySet()) {
            try (InputStream in = DashboardAssets.class.getResourceAsStream(BASE + name)) {
                if (in == null) {
                    throw new IllegalStateException("dashboard asset " + name + " is missing from the jar");
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Serves {@code /} and {@code /assets/<name>}; false when the path is neither. */
    public boolean handle(String path, HttpExchange exchange) throws IOException {
        String name;
        if (path.equals("/") || path.equals("/index.html")) {
            name = "index.html";
        } else if (path.startsWith("/assets/")) {
            name = path.substring("/assets/".length());
        } else if (path.equals("/favicon.ico")) {
            name = "favicon.svg";
        } else {
            return false;
        }
        byte[] body = files.get(name);
        if (body == null) {
            return false;
        }
        exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        Exchanges.send(exchange, 200, TYPES.get(name), body);
        return true;
    }
}
