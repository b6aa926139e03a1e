package io.footfall.core.event;

/**
 * One enriched event: a row of the warehouse table {@code events} and the value of a
 * {@code footfall.events} record; docs/loader.md ("The events table") says what each column holds.
 *
 * <p>Times are epoch milliseconds (UTC). No field ever holds an IP address.
 *
 * <p>{@code referrerSource} comes last, out of its place beside the other referrer fields, because the components
 * follow the table's columns and the warehouses add a column at the end (migration 8).
 */
public record StoredEvent(
        String eventId,
        String site,
        String type,
        String name,
        long receivedAt,
        Long clientTs,
        String url,
        String host,
        String path,
        String query,
        String title,
        String referrer,
        String referrerHost,
        String referrerType,
        String utmSource,
        String utmMedium,
        String utmCampaign,
        String utmTerm,
        String utmContent,
        String visitorId,
        String sessionId,
        int sessionSeq,
        boolean isNewSession,
        String browser,
        String browserVersion,
        String os,
        String osVersion,
        String deviceType,
        boolean isBot,
        String country,
        String region,
        String city,
        String screen,
        String language,
        String timezone,
        String props,
        String pipelineVersion,
        String referrerSource) {

    /** Column names in declaration order, as the warehouse table has them. */
    public static final java.util.List<String> COLUMNS = java.util.List.of(
            "event_id", "site", "type", "name", "received_at", "client_ts", "url", "host", "path", "query",
            "title", "referrer", "referrer_host", "referrer_type", "utm_source", "utm_medium", "utm_campaign",
            "utm_term", "utm_content", "visitor_id", "session_id", "session_seq", "is_new_session", "browser",
            "browser_version", "os", "os_version", "device_type", "is_bot", "country", "region", "city", "screen",
            "language", "timezone", "props", "pipeline_version", "referrer_source");
}
