package io.footfall.collector.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.collector.CollectorServer;
import io.footfall.core.config.CollectorConfig;
import io.footfall.core.config.ConfigException;
import io.footfall.core.config.Settings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector speaking HTTPS itself, over a real socket: what a browser on an https:// page needs. */
class HttpsCollectorTest {

    private static final String EVENT = "{\"site\":\"shop.test\",\"type\":\"pageview\",\"url\":\"https://shop.test/\"}";

    @TempDir
    Path dir;

    @Test
    void eventsArriveOverHttpsAndPlainHttpGetsNothingIn() throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "collector-a");
        RecordingSink sink = new RecordingSink();
        CollectorConfig config = CollectorConfig.from(Settings.of(Map.of("collector.host", "127.0.0.1", "collector.port", "0",
                "collector.tlsCertificate", certs.certificate.toString(), "collector.tlsKey", certs.key.toString())));
        CollectorServer server = new CollectorServer(config, sink, new SimpleMeterRegistry(), () -> "");
        try {
            int port = server.start();
            assertEquals("https", server.scheme());
            HttpResponse<String> accepted = post(client(certs.clientContext()), "https://127.0.0.1:" + port + "/v1/events");
            assertEquals(202, accepted.statusCode());
            assertEquals("{\"accepted\":1,\"rejected\":[]}", accepted.body());
            assertEquals(1, sink.events.size());
            assertEquals("127.0.0.0", sink.events.get(0).clientIp());

            HttpResponse<String> live = client(certs.clientContext()).send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, live.statusCode());

            int status;
            try {
                status = post(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                        "http://127.0.0.1:" + port + "/v1/events").statusCode();
            } catch (IOException refused) {
                status = -1; // the TLS handler closes a connection that does not start with a handshake
            }
            assertTrue(status < 200 || status >= 300, "plain HTTP on the HTTPS port got " + status);

            TestCertificates stranger = TestCertificates.create(dir, "stranger");
            assertThrows(IOException.class, () -> post(client(stranger.clientContext()), "https://127.0.0.1:" + port + "/v1/events"),
                    "a client that does not trust the collector's certificate cannot send");
            assertEquals(1, sink.events.size(), "nothing but the HTTPS event got in");
        } finally {
            server.close();
        }
    }

    @Test
    void aRenewedCertificateIsReadAgainAndABrokenRenewalKeepsTheCurrentOne() throws Exception {
        TestCertificates current = TestCertificates.create(dir, "collector-a");
        TestCertificates renewed = TestCertificates.create(dir, "collector-b");
        try (ServerTls tls = ServerTls.open(current.certificate, current.key)) {
            SslContext first = tls.context();
            tls.reloadIfChanged();
            assertSame(first, tls.context(), "unchanged files are not read again");

            renewed.replace(current);
            tls.reloadIfChanged();
            SslContext second = tls.context();
            assertNotSame(first, second, "the renewed pair is served to new connections");

            // A renewal caught half-written: the new certificate beside the old key.
            TestCertificates third = TestCertificates.create(dir, "collector-c");
            Files.copy(third.certificate, current.certificate, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(current.certificate, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            tls.reloadIfChanged();
            assertSame(second, tls.context(), "a certificate without its key leaves the working context in place");

            Files.writeString(current.certificate, "not a certificate");
            Files.setLastModifiedTime(current.certificate, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            tls.reloadIfChanged();
            assertSame(second, tls.context(), "a renewal that cannot be read leaves the working context in place");
        }
    }

    @Test
    void filesThatAreNotACertificateAndKeyStopTheStartNamingTheSetting() throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "collector-a");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        CollectorConfig config = CollectorConfig.from(Settings.of(Map.of("collector.port", "0",
                "collector.tlsCertificate", garbage.toString(), "collector.tlsKey", certs.key.toString())));
        ConfigException e = assertThrows(ConfigException.class,
                () -> new CollectorServer(config, new RecordingSink(), new SimpleMeterRegistry(), () -> ""));
        assertTrue(e.getMessage().startsWith("collector.tlsCertificate: "), e.getMessage());

        CollectorConfig swapped = CollectorConfig.from(Settings.of(Map.of("collector.port", "0",
                "collector.tlsCertificate", certs.key.toString(), "collector.tlsKey", certs.certificate.toString())));
        assertThrows(ConfigException.class, () -> new CollectorServer(swapped, new RecordingSink(), new SimpleMeterRegistry(), () -> ""));

        // A certificate and a key that are each fine but not of one pair: every handshake would fail.
        TestCertificates other = TestCertificates.create(dir, "collector-other");
        CollectorConfig mismatched = CollectorConfig.from(Settings.of(Map.of("collector.port", "0",
                "collector.tlsCertificate", certs.certificate.toString(), "collector.tlsKey", other.key.toString())));
        ConfigException m = assertThrows(ConfigException.class,
                () -> new CollectorServer(mismatched, new RecordingSink(), new SimpleMeterRegistry(), () -> ""));
        assertTrue(m.getMessage().contains("the key does not belong to the certificate"), m.getMessage());
    }

    private static HttpClient client(SSLContext tls) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> post(HttpClient client, String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(EVENT)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
