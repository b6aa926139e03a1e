package io.footfall.enricher.geo;

/** Country (ISO 3166-1 alpha-2), region (ISO 3166-2 subdivision code) and city name; each may be null. */
public record GeoLocation(String country, String region, String city) {

    public static final GeoLocation UNKNOWN = new GeoLocation(null, null, null);
}
