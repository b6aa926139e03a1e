package io.footfall.collector.http;

import io.footfall.core.config.ConfigException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's HTTPS: a server context from a PEM certificate chain and its PKCS#8 key, read again when
 * either file changes (checked once a minute, off the event loops), so a renewed certificate (Let's Encrypt's
 * {@code fullchain.pem} and {@code privkey.pem}, say) is served to new connections without a restart. A
 * renewal that cannot be read is logged and the current context kept.
 */
public final class ServerTls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    private static final long CHECK_EVERY_SECONDS = 60;

    private final Path certificate;
    private final Path key;
    private final ScheduledExecutorService reloader;
    private volatile SslContext context;
    private volatile FileTime certificateTime;
    private volatile FileTime keyTime;

    private ServerTls(Path certificate, Path key) {
        this.certificate = certificate;
        this.key = key;
        this.reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "collector-tls-reload");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @throws ConfigException naming {@code collector.tlsCertificate} when the files are not a usable pair
     */
    public static ServerTls open(Path certificate, Path key) {
        ServerTls tls = new ServerTls(certificate, key);
        try {
            tls.load();
        } catch (IOException | RuntimeException e) {
            tls.close();
            throw new ConfigException("collector.tlsCertificate: " + certificate + " and collector.tlsKey: " + key
                    + " are not a usable PEM certificate chain and PKCS#8 key (" + reason(e) + ")");
        }
        tls.reloader.scheduleWithFixedDelay(tls::reloadIfChanged, CHECK_EVERY_SECONDS, CHECK_EVERY_SECONDS, TimeUnit.SECONDS);
        return tls;
    }

    /**
     * The collector's HTTPS context, or null when it serves plain HTTP. Hosts open it before they start anything
     * else, so that a certificate that cannot be used stops the start at once, and hand it to the server.
     *
     * @throws ConfigException as {@link #open}
     */
    public static ServerTls of(io.footfall.core.config.CollectorConfig config) {
        return config.tls() ? open(config.tlsCertificate(), config.tlsKey()) : null;
    }

    /** The context for the next connection. */
    public SslContext context() {
        return context;
    }

    private void load() throws IOException {
        FileTime certTime = Files.getLastModifiedTime(certificate);
        FileTime kTime = Files.getLastModifiedTime(key);
        context = SslContextBuilder.forServer(certificate.toFile(), key.toFile()).build();
        certificateTime = certTime;
        keyTime = kTime;
    }

    /** Reads the files again when either changed; package-private for the test that renews a certificate. */
    void reloadIfChanged() {
        try {
            if (Files.getLastModifiedTime(certificate).equals(certificateTime) && Files.getLastModifiedTime(key).equals(keyTime)) {
                return;
            }
            load();
            LOG.info("event=tls_reloaded certificate=\"{}\"", certificate);
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=tls_reload_failed certificate=\"{}\" error=\"{}\" action=keep_current", certificate, reason(e));
        }
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Stops the reloading; closing again does nothing. */
    @Override
    public void close() {
        reloader.shutdownNow();
    }
}
