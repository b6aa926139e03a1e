package io.footfall.app.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code <data-dir>/kafka/bootstrap.servers}: where the broker of a running standalone or {@code footfall broker}
 * listens, so {@code footfall tap} and {@code footfall bench} find it without being told (its port is
 * free-picked by default). Written when the broker is up, removed on a clean stop; a stale file after a crash only
 * points at a closed port.
 */
public final class BrokerAddressFile {

    private BrokerAddressFile() {
    }

    static Path path(Path dataDir) {
        return dataDir.resolve("kafka").resolve("bootstrap.servers");
    }

    public static void write(Path dataDir, String bootstrapServers) {
        try {
            Files.writeString(path(dataDir), bootstrapServers + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + path(dataDir) + ": " + e.getMessage());
        }
    }

    public static Optional<String> read(Path dataDir) {
        try {
            String text = Files.readString(path(dataDir), StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static void delete(Path dataDir) {
        try {
            Files.deleteIfExists(path(dataDir));
        } catch (IOException e) {
            // a leftover file only points at a closed port
        }
    }
}
