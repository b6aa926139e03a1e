package io.footfall.enricher.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class GeoLocatorTest {

    @TempDir
    static Path dir;
    static Path cityDb;

    /** A City database built here: 192.0.2.0/24 is Berlin, 198.51.100.0/25 is somewhere in France. */
    public static Path cityDatabase(Path directory) throws Exception {
        Path file = directory.resolve("test-city.mmdb");
        new MmdbWriter("GeoLite2-City")
                .insert("192.0.2.0", 24, Map.of(
                        "city", Map.of("names", Map.of("en", "Berlin")),
                        "country", Map.of("iso_code", "DE", "names", Map.of("en", "Germany")),
                        "subdivisions", List.of(Map.of("iso_code", "BE", "names", Map.of("en", "Land Berlin")))))
                .insert("198.51.100.0", 25, Map.of("country", Map.of("iso_code", "FR")))
                .write(file);
        return file;
    }

    @BeforeAll
    static void build() throws Exception {
        cityDb = cityDatabase(dir);
    }

    @Test
    void findsCountryRegionAndCity() {
        try (GeoLocator geo = GeoLocator.open(cityDb)) {
            assertTrue(geo.enabled());
            assertEquals(new GeoLocation("DE", "DE-BE", "Berlin"), geo.locate("192.0.2.77"));
            assertEquals(new GeoLocation("FR", null, null), geo.locate("198.51.100.5"));
            assertEquals(GeoLocation.UNKNOWN, geo.locate("198.51.100.200"), "outside the /25");
            assertEquals(GeoLocation.UNKNOWN, geo.locate("203.0.113.1"));
        }
    }

    /** GeoLite2 lists a place's subdivisions largest first (England, then Westminster): the region is the first. */
    @Test
    void theRegionIsTheFirstLevelSubdivision() throws Exception {
        Path file = dir.resolve("two-levels.mmdb");
        new MmdbWriter("GeoLite2-City")
                .insert("192.0.2.0", 24, Map.of(
                        "country", Map.of("iso_code", "GB"),
                        "subdivisions", List.of(Map.of("iso_code", "ENG"), Map.of("iso_code", "WSM"))))
                .write(file);
        try (GeoLocator geo = GeoLocator.open(file)) {
            assertEquals(new GeoLocation("GB", "GB-ENG", null), geo.locate("192.0.2.1"));
        }
    }

    @Test
    void neverResolvesNamesAndSurvivesGarbage() {
        try (GeoLocator geo = GeoLocator.open(cityDb)) {
            assertEquals(GeoLocation.UNKNOWN, geo.locate("example.com"));
            assertEquals(GeoLocation.UNKNOWN, geo.locate("999.1.1.1"));
            assertEquals(GeoLocation.UNKNOWN, geo.locate("2001:db8::1"), "an IPv6 address in an IPv4 database");
            assertEquals(GeoLocation.UNKNOWN, geo.locate(null));
        }
    }

    @Test
    void withoutADatabaseEverythingIsUnknown() {
        try (GeoLocator none = GeoLocator.open(null)) {
            assertFalse(none.enabled());
            assertEquals(GeoLocation.UNKNOWN, none.locate("192.0.2.77"));
        }
    }

    /** A configured database that is missing, a directory or not a database stops the start, naming the setting. */
    @Test
    void aConfiguredDatabaseThatCannotBeReadStopsTheStart() throws Exception {
        Path notADatabase = Files.writeString(dir.resolve("notes.mmdb"), "not a database");
        for (Path path : List.of(dir.resolve("absent.mmdb"), dir, notADatabase)) {
            ConfigException e = assertThrows(ConfigException.class, () -> GeoLocator.open(path), path.toString());
            assertTrue(e.getMessage().startsWith("enricher.geoipDatabase: " + path.toAbsolutePath() + " is not a"), e.getMessage());
        }
    }
}
