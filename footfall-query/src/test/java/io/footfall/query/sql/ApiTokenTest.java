package io.footfall.query.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokenTest {

    @TempDir
    Path dataDir;

    @Test
    void madeOnceOwnerReadableOnlyAndKeptAcrossStarts() throws Exception {
        ApiToken first = ApiToken.loadOrCreate(dataDir);
        assertTrue(first.created());
        assertEquals(43, first.value().length(), "32 random bytes, base64url");
        Path file = dataDir.resolve(ApiToken.FILE_NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(first.value() + "\n", Files.readString(file));

        ApiToken again = ApiToken.loadOrCreate(dataDir);
        assertFalse(again.created(), "a restart reads the stored token and does not print it again");
        assertEquals(first.value(), again.value());
        assertTrue(again.matches(first.value()));
        assertFalse(again.matches(first.value() + "x"));
        assertFalse(again.matches(null));
        assertFalse(again.toString().contains(first.value()), "the token never appears in toString (logs)");
    }
}
