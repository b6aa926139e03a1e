package io.footfall.query.stats;

import io.footfall.query.http.BadParameterException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;

/** A time-series bucket width. Its SQL name is a fixed literal, never request text. */
public enum Interval {
    MINUTE, HOUR, DAY, WEEK, MONTH;

    public static Interval fromWire(String value) throws BadParameterException {
        if (value == null || value.isBlank()) {
            return DAY;
        }
        for (Interval i : values()) {
            if (i.sqlName().equals(value)) {
                return i;
            }
        }
        throw new BadParameterException("interval", "must be one of minute, hour, day, week, month; got '" + value + "'");
    }

    /** The unit name both {@code date_trunc} implementations accept. */
    String sqlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The start of the bucket holding a local time; weeks start on Monday, as in both warehouses. */
    LocalDateTime truncate(LocalDateTime t) {
        return switch (this) {
            case MINUTE -> t.truncatedTo(ChronoUnit.MINUTES);
            case HOUR -> t.truncatedTo(ChronoUnit.HOURS);
            case DAY -> t.truncatedTo(ChronoUnit.DAYS);
            case WEEK -> t.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
        };
    }

    /**
     * Whether buckets are lengths of absolute time (a minute, an hour): each starts at an instant of its own, and
     * the hour that repeats when clocks go back is two buckets. Days and longer follow the calendar.
     */
    boolean fixedInstants() {
        return this == MINUTE || this == HOUR;
    }

    /** The bucket holding {@code t}, as a time in the zone. */
    ZonedDateTime first(Instant t, ZoneId zone) {
        ZonedDateTime at = ZonedDateTime.ofInstant(t, zone);
        return fixedInstants() ? at.truncatedTo(this == MINUTE ? ChronoUnit.MINUTES : ChronoUnit.HOURS)
                : ZonedDateTime.ofLocal(truncate(at.toLocalDateTime()), zone, null);
    }

    /** The start of the bucket holding {@code t}. */
    Instant bucketStart(Instant t, ZoneId zone) {
        return first(t, zone).toInstant();
    }

    /** The bucket after {@code bucket}: a minute or an hour later on the clock of the world, a day or more on the zone's. */
    ZonedDateTime next(ZonedDateTime bucket) {
        return switch (this) {
            case MINUTE -> bucket.plusMinutes(1);
            case HOUR -> bucket.plusHours(1).truncatedTo(ChronoUnit.HOURS);
            default -> ZonedDateTime.ofLocal(next(bucket.toLocalDateTime()), bucket.getZone(), null);
        };
    }

    LocalDateTime next(LocalDateTime bucket) {
        return switch (this) {
            case MINUTE -> bucket.plusMinutes(1);
            case HOUR -> bucket.plusHours(1);
            case DAY -> bucket.plusDays(1);
            case WEEK -> bucket.plusWeeks(1);
            case MONTH -> bucket.plusMonths(1);
        };
    }
}
