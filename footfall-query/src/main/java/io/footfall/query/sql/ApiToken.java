package io.footfall.query.sql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A bearer token: 32 random bytes, made on first start and kept in the data directory in a file only the owner can
 * read (mode 0600), so a restart keeps the same token. {@value #FILE_NAME} is the read-only SQL API's, given to
 * analysts; {@value #ADMIN_FILE_NAME} the operator's, for what writes ({@code POST /api/backup}).
 *
 * @param created true when this start made the token (the only time it is printed)
 */
public record ApiToken(String value, Path file, boolean created) {

    public static final String FILE_NAME = "query-api-token";
    public static final String ADMIN_FILE_NAME = "admin-api-token";

    /** The SQL API's token. */
    public static ApiToken loadOrCreate(Path dataDir) {
        return loadOrCreate(dataDir, FILE_NAME);
    }

    public static ApiToken loadOrCreate(Path dataDir, String fileName) {
        Path file = dataDir.resolve(fileName);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                String token = generate();
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
                    return new ApiToken(token, file, true);
                } catch (FileAlreadyExistsException raced) {
                    // another process made it first: read theirs
                }
            }
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.length() < 32) {
                throw new IllegalStateException("API token file " + file + " is empty or too short; delete it to make a new one");
            }
            return new ApiToken(token, file, false);
        } catch (IOException e) {
            throw new IllegalStateException("API token file " + file + " cannot be read or created: " + e.getMessage());
        }
    }

    static String generate() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Whether the request carries this token as {@code Authorization: Bearer <token>}; if not, answers it 401 with a
     * {@code WWW-Authenticate} challenge and where the token is.
     */
    public boolean authorize(com.sun.net.httpserver.HttpExchange exchange) throws java.io.IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
        if (matches(presented)) {
            return true;
        }
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"footfall\"");
        io.footfall.query.http.Exchanges.error(exchange, 401, "unauthorized", "send 'Authorization: Bearer <token>'; the token is in "
                + file.getFileName() + " in the data directory");
        return false;
    }

    /** Compares in constant time, so response timing does not reveal a prefix of the token. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "ApiToken[file=" + file + "]";
    }
}
