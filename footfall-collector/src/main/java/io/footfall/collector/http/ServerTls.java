package io.footfall.collector.http;

import io.footfall.core.config.ConfigException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
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
        SslContext loaded = SslContextBuilder.forServer(certificate.toFile(), key.toFile()).build();
        checkPair(certificate, key);
        context = loaded;
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

    /**
     * Proves that the key belongs to the certificate (the first of the chain): a signature made with the key must
     * verify with the certificate's public key. Netty builds a context from any certificate and any key, and then
     * every handshake fails; a renewal that writes one file before the other would do the same for a minute.
     */
    static void checkPair(Path certificate, Path key) throws IOException {
        try (InputStream in = Files.newInputStream(certificate)) {
            Certificate leaf = CertificateFactory.getInstance("X.509").generateCertificate(in);
            PublicKey publicKey = leaf.getPublicKey();
            String pem = Files.readString(key, StandardCharsets.US_ASCII);
            int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
            int end = pem.indexOf("-----END PRIVATE KEY-----");
            if (begin < 0 || end < begin) {
                throw new IllegalArgumentException("the key file holds no PKCS#8 private key");
            }
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
            String algorithm = publicKey.getAlgorithm();
            PrivateKey privateKey;
            try {
                privateKey = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException e) {
                throw new IllegalArgumentException("the key is not a " + algorithm + " key, as the certificate's is");
            }
            String scheme = switch (algorithm) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                case "EdDSA", "Ed25519", "Ed448" -> algorithm.equals("Ed448") ? "Ed448" : "Ed25519";
                default -> null;
            };
            if (scheme == null) {
                return; // another kind of key (RSASSA-PSS, DSA): left to the handshake
            }
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(scheme);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(scheme);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("the key does not belong to the certificate");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the certificate and key cannot be checked: " + e.getMessage(), e);
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
