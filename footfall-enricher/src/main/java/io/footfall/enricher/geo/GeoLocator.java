package io.footfall.enricher.geo;

import io.footfall.core.config.ConfigException;
import com.maxmind.db.CHMCache;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.model.CountryResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Country, region and city of a client IP from a MaxMind GeoIP2 / GeoLite2 database, when one is configured.
 * The IP is looked up in memory and dropped; only the place is stored. Without a database every lookup
 * answers {@link GeoLocation#UNKNOWN} and one warning says so at start. The reader is thread-safe and shared.
 */
public final class GeoLocator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GeoLocator.class);
    /** Only literals reach {@link InetAddress#getByName}: a host name there would be a DNS lookup per event. */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]{2,45}");

    private final DatabaseReader reader;
    private final boolean cityDatabase;

    private GeoLocator(DatabaseReader reader) {
        this.reader = reader;
        this.cityDatabase = reader != null && reader.getMetadata().databaseType().contains("City");
    }

    /**
     * Opens the database; without one (not configured), warns once and answers nothing. A database that is
     * configured but cannot be read stops the start: running on would store every event without its place, for
     * good (only a replay brings it back), over what is most likely a typing error in the path.
     */
    public static GeoLocator open(Path database) {
        if (database == null) {
            LOG.warn("event=geo_disabled reason=no_database key=enricher.geoipDatabase");
            return new GeoLocator(null);
        }
        if (!Files.isRegularFile(database) || !Files.isReadable(database)) {
            throw new ConfigException("enricher.geoipDatabase: " + database.toAbsolutePath() + " is not a readable file"
                    + " (leave the setting empty to run without geo)");
        }
        try {
            DatabaseReader reader = new DatabaseReader.Builder(database.toFile()).withCache(new CHMCache()).build();
            LOG.info("event=geo_ready type={} built_epoch_s={}", reader.getMetadata().databaseType(),
                    reader.getMetadata().buildTime().getEpochSecond());
            return new GeoLocator(reader);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("enricher.geoipDatabase: " + database.toAbsolutePath() + " is not a GeoIP2 / GeoLite2"
                    + " database that can be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    public boolean enabled() {
        return reader != null;
    }

    public GeoLocation locate(String ip) {
        if (reader == null || ip == null || !IP_LITERAL.matcher(ip).matches()) {
            return GeoLocation.UNKNOWN;
        }
        try {
            InetAddress address = InetAddress.getByName(ip);
            if (cityDatabase) {
                Optional<CityResponse> city = reader.tryCity(address);
                return city.map(GeoLocator::of).orElse(GeoLocation.UNKNOWN);
            }
            Optional<CountryResponse> country = reader.tryCountry(address);
            return country.map(c -> new GeoLocation(c.country().isoCode(), null, null)).orElse(GeoLocation.UNKNOWN);
        } catch (UnknownHostException e) {
            return GeoLocation.UNKNOWN;
        } catch (IOException | GeoIp2Exception | RuntimeException e) {
            return GeoLocation.UNKNOWN;
        }
    }

    private static GeoLocation of(CityResponse r) {
        String country = r.country() == null ? null : r.country().isoCode();
        String region = null;
        // The first-level subdivision (England, Île-de-France), as the list is ordered largest first: a country's
        // regions are then one level, never England beside one of its counties.
        if (r.subdivisions() != null && !r.subdivisions().isEmpty() && r.subdivisions().get(0) != null) {
            String code = r.subdivisions().get(0).isoCode();
            region = code == null ? null : country == null ? code : country + "-" + code;
        }
        String city = r.city() == null ? null : r.city().name();
        return new GeoLocation(country, region, city);
    }

    @Override
    public void close() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                LOG.warn("event=geo_close_failed error=\"{}\"", e.getClass().getSimpleName());
            }
        }
    }
}
