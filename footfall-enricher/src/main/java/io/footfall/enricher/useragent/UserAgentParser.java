package io.footfall.enricher.useragent;

/** Turns a user-agent string into what footfall stores. Implementations are thread-safe. */
@FunctionalInterface
public interface UserAgentParser {
    UserAgentInfo parse(String userAgent);
}
