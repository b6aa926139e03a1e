package io.footfall.collector.decode;

import io.footfall.core.config.CollectorConfig;

/**
 * The decoding limits of one request.
 *
 * @param maxEventBytes     largest single event, as sent
 * @param maxEvents         most events in one request
 * @param maxRequestBytes   largest body after decompression
 * @param maxInflateRatio   decompressed/compressed beyond which a body is treated as a bomb
 */
public record Limits(int maxEventBytes, int maxEvents, int maxRequestBytes, int maxInflateRatio) {

    public static Limits from(CollectorConfig config) {
        return new Limits(config.maxEventBytes(), config.maxEventsPerRequest(), config.maxRequestBytes(), 100);
    }
}
