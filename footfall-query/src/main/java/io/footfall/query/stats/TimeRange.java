package io.footfall.query.stats;

import io.footfall.query.http.BadParameterException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Pattern;

/** A half-open UTC interval [from, to) read from the {@code from} and {@code to} parameters (ISO-8601). */
public record TimeRange(Instant from, Instant to) {

    public static TimeRange from(Map<String, String> params) throws BadParameterException {
        Instant from = instant(params, "from");
        Instant to = instant(params, "to");
        if (!from.isBefore(to)) {
            throw new BadParameterException("to", "must be later than from");
        }
        return new TimeRange(from, to);
    }

    /**
     * The times a range may name: no event is older than 1970, and a range (and the period before it, which the
     * summary compares with) stays within what both warehouses' timestamps hold.
     */
    static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

    /** The period of equal length just before this one: what the summary compares with. */
    public TimeRange previous() {
        Duration length = Duration.between(from, to);
        return new TimeRange(from.minus(length), from);
    }

    double fromSeconds() {
        return seconds(from);
    }

    double toSeconds() {
        return seconds(to);
    }

    /**
     * Seconds since the epoch to the microsecond the warehouses store, a finer time rounded up: a stored time t is
     * at or after {@code from} (before {@code to}) exactly when it is at or after (before) that microsecond. A double
     * holds today's epoch seconds to a quarter of a microsecond, so the warehouses read back the very microsecond.
     */
    static double seconds(Instant t) {
        long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), (t.getNano() + 999) / 1_000);
        return Math.floorDiv(micros, 1_000_000L) + Math.floorMod(micros, 1_000_000L) / 1e6;
    }

    /** A time whose offset's '+' was decoded as a space: the only place a space can stand in one. */
    private static final Pattern UNENCODED_PLUS = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+ \\d\\d:\\d\\d");

    private static Instant instant(Map<String, String> params, String name) throws BadParameterException {
        String value = params.get(name);
        if (value == null || value.isBlank()) {
            throw new BadParameterException(name, "is required (ISO-8601, e.g. 2026-11-26T00:00:00Z)");
        }
        if (UNENCODED_PLUS.matcher(value).matches()) {
            // An offset typed unencoded in a URL (…T08:00:00+01:00): the query string's '+' arrived as a space.
            value = value.replace(' ', '+');
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            try {
                at = Instant.parse(value);
            } catch (DateTimeParseException again) {
                throw new BadParameterException(name, "must be an ISO-8601 time with offset, e.g. 2026-11-26T00:00:00Z");
            }
        }
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
            throw new BadParameterException(name, "must be from " + EARLIEST + " to " + LATEST + "; got " + value);
        }
        return at;
    }
}
