package io.footfall.collector.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates for 127.0.0.1, made by the JDK's own {@code keytool} and written as the PEM files
 * a user gives the collector (certificate chain, PKCS#8 key), plus a client context that trusts them.
 */
final class TestCertificates {

    private static final char[] PASSWORD = "changeit".toCharArray();

    final Path certificate;
    final Path key;
    private final KeyStore store;

    private TestCertificates(Path certificate, Path key, KeyStore store) {
        this.certificate = certificate;
        this.key = key;
        this.store = store;
    }

    /** A new key pair and certificate named {@code cn}, written to {@code dir/cn.crt.pem} and {@code dir/cn.key.pem}. */
    static TestCertificates create(Path dir, String cn) throws Exception {
        Path p12 = dir.resolve(cn + ".p12");
        Files.deleteIfExists(p12);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "collector", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + cn, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            store.load(in, PASSWORD);
        }
        Certificate cert = store.getCertificate("collector");
        PrivateKey privateKey = (PrivateKey) store.getKey("collector", PASSWORD);
        Path certificate = dir.resolve(cn + ".crt.pem");
        Path key = dir.resolve(cn + ".key.pem");
        Files.writeString(certificate, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()));
        return new TestCertificates(certificate, key, store);
    }

    /** Copies this pair over {@code target}'s files (a renewal), with a later modification time. */
    void replace(TestCertificates target) throws IOException {
        Files.write(target.certificate, Files.readAllBytes(certificate));
        Files.write(target.key, Files.readAllBytes(key));
        java.nio.file.attribute.FileTime later = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000);
        for (Path file : List.of(target.certificate, target.key)) {
            Files.setLastModifiedTime(file, later);
        }
    }

    /** A TLS client context that trusts this certificate only. */
    SSLContext clientContext() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("collector", store.getCertificate("collector"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
