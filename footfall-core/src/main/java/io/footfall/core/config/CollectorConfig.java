package io.footfall.core.config;

import io.footfall.core.event.EventRules;
import io.footfall.core.event.InvalidEventException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The HTTP collector's limits and producer settings; docs/collector.md lists them with their defaults.
 *
 * @param maxInflightBytes   bytes of events handed to the producer and not yet acknowledged; beyond this the
 *                           collector answers 503 at once. 64 MB holds ~180k 350-byte events: over a second of
 *                           the target rate, so the budget only binds when the broker is slow or gone.
 * @param deliveryTimeout    how long the producer may try before an event is answered 503
 * @param lingerTime         producer linger; see the default's comment
 * @param readTimeout        longest time from the first byte of a request to its last (slow-drip headers or
 *                           bodies are answered 408 and closed)
 * @param idleTimeout        longest time a kept-alive connection may sit between requests
 * @param maxInflateRatio    decompressed/compressed size beyond which a gzip body is cut off as a bomb
 * @param trustedProxies     CIDR blocks whose {@code X-Forwarded-For} is believed; empty: the header is ignored
 * @param allowedSites       sites this collector accepts; empty: every site that matches the site pattern
 * @param rateLimitPerSecond requests per second per client IP; 0 turns the limit off (the default, since
 *                           behind a load balancer without trusted proxies every client shares one address)
 * @param rateLimitBurst     requests a client IP may make at once before the rate applies
 * @param maxBufferedBodyBytes request bytes held across all connections while bodies arrive; beyond it a
 *                           request is answered 503. With the in-flight budget this bounds the heap a
 *                           collector needs whatever the number of clients (see docs/collector.md)
 * @param tlsCertificate     PEM certificate chain: with {@code tlsKey}, the collector speaks HTTPS only; both null:
 *                           plain HTTP (TLS ended in front of it)
 * @param tlsKey             PEM private key of that certificate (PKCS#8, unencrypted)
 */
public record CollectorConfig(
        String host,
        int port,
        int maxEventBytes,
        int maxEventsPerRequest,
        int maxRequestBytes,
        long maxInflightBytes,
        Duration deliveryTimeout,
        Duration lingerTime,
        Duration readTimeout,
        Duration idleTimeout,
        int maxInflateRatio,
        List<String> trustedProxies,
        Set<String> allowedSites,
        int rateLimitPerSecond,
        int rateLimitBurst,
        long maxBufferedBodyBytes,
        java.nio.file.Path tlsCertificate,
        java.nio.file.Path tlsKey) {

    public CollectorConfig {
        trustedProxies = List.copyOf(trustedProxies);
        allowedSites = Set.copyOf(allowedSites);
    }

    public static CollectorConfig from(Settings s) {
        int maxRequestBytes = (int) s.bytes("collector.maxRequestBytes", 1024 * 1024, 1024, 64L * 1024 * 1024);
        Duration deliveryTimeout = s.duration("collector.deliveryTimeout", Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofMinutes(10));
        // 0 by default: a 202 waits for the ack, so linger adds straight to every answer and caps each
        // connection at 1/latency requests per second (5 ms: ~7k req/s over 64 connections, 0 ms: ~23k, see
        // BENCHMARKS.md). Under load records still batch while earlier produce requests are in flight.
        Duration linger = s.duration("collector.lingerTime", Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1));
        int rate = s.integer("collector.rateLimitPerSecond", 0, 0, 1_000_000);
        String certificate = s.string("collector.tlsCertificate", "");
        String key = s.string("collector.tlsKey", "");
        if (certificate.isBlank() != key.isBlank()) {
            String missing = certificate.isBlank() ? "collector.tlsCertificate" : "collector.tlsKey";
            String given = certificate.isBlank() ? "collector.tlsKey" : "collector.tlsCertificate";
            throw new ConfigException(missing + ": must be set too, since " + given + " is (both: HTTPS; neither: plain HTTP)");
        }
        return new CollectorConfig(
                s.string("collector.host", "0.0.0.0"),
                s.integer("collector.port", 8080, 0, 65535),
                (int) s.bytes("collector.maxEventBytes", 32 * 1024, 256, maxRequestBytes),
                s.integer("collector.maxEventsPerRequest", 500, 1, 100_000),
                maxRequestBytes,
                s.bytes("collector.maxInflightBytes", 64L * 1024 * 1024, 1024 * 1024, 4L * 1024 * 1024 * 1024),
                deliveryTimeout,
                linger,
                s.duration("collector.readTimeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(10)),
                s.duration("collector.idleTimeout", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1)),
                s.integer("collector.maxInflateRatio", 100, 2, 10_000),
                list(s.string("collector.trustedProxies", "")),
                sites(s.string("collector.allowedSites", "")),
                rate,
                s.integer("collector.rateLimitBurst", Math.max(1, rate), 1, 10_000_000),
                s.bytes("collector.maxBufferedBodyBytes", 64L * 1024 * 1024, maxRequestBytes, 4L * 1024 * 1024 * 1024),
                tlsFile("collector.tlsCertificate", certificate),
                tlsFile("collector.tlsKey", key));
    }

    /** True when the collector answers HTTPS itself. */
    public boolean tls() {
        return tlsCertificate != null;
    }

    private static java.nio.file.Path tlsFile(String key, String value) {
        if (value.isBlank()) {
            return null;
        }
        java.nio.file.Path file;
        try {
            file = java.nio.file.Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(key + ": not a file path: " + value);
        }
        if (!java.nio.file.Files.isReadable(file)) {
            throw new ConfigException(key + ": " + file + " does not exist or cannot be read");
        }
        return file;
    }

    /** True when a per-client-IP request rate applies. */
    public boolean rateLimited() {
        return rateLimitPerSecond > 0;
    }

    private static List<String> list(String commaSeparated) {
        List<String> out = new ArrayList<>();
        for (String part : commaSeparated.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    private static Set<String> sites(String commaSeparated) {
        Set<String> out = new LinkedHashSet<>();
        for (String site : list(commaSeparated)) {
            try {
                out.add(EventRules.site(site));
            } catch (InvalidEventException e) {
                throw new ConfigException("collector.allowedSites: '" + site + "' is not a site id ([a-z0-9._-]{1,64})");
            }
        }
        return out;
    }
}
