package io.footfall.core.event;

/**
 * A record of {@code footfall.bad}: something the pipeline refused, with where and why.
 *
 * @param stage      {@code collect}, {@code enrich} or {@code load}
 * @param reason     a short machine-friendly reason, e.g. {@code invalid_site}
 * @param detail     a human-readable explanation
 * @param payload    the original bytes as text (never logged)
 * @param receivedAt epoch milliseconds
 */
public record BadEvent(String stage, String reason, String detail, String site, String payload, long receivedAt) {
}
