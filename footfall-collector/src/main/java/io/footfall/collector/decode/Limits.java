package io.footfall.collector.decode;

import io.footfall.core.config.CollectorConfig;
import java.util.Set;

/**
 * The decoding limits of one request.
 *
 * @param maxEventBytes     largest single event, as sent
 * @param maxEvents         most events in one request
 * @param maxRequestBytes   largest body after decompression
 * @param maxInflateRatio   decompressed/compressed beyond which a body is treated as a bomb
 * @param allowedSites      the only sites accepted; empty accepts every valid site id
 */
public record Limits(int maxEventBytes, int maxEvents, int maxRequestBytes, int maxInflateRatio,
                     Set<String> allowedSites) {

    public Limits {
        allowedSites = Set.copyOf(allowedSites);
    }

    public static Limits from(CollectorConfig config) {
        return new Limits(config.maxEventBytes(), config.maxEventsPerRequest(), config.maxRequestBytes(),
                config.maxInflateRatio(), config.allowedSites());
    }

    boolean siteAllowed(String site) {
        return allowedSites.isEmpty() || allowedSites.contains(site);
    }
}
