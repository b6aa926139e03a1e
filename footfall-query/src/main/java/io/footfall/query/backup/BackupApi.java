package io.footfall.query.backup;

import com.sun.net.httpserver.HttpExchange;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.query.http.BadParameterException;
import io.footfall.query.http.Exchanges;
import io.footfall.query.sql.ApiToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/backup}: a consistent copy of the DuckDB warehouse, offsets included, into a new file of the backup
 * directory, while loading and queries go on; bearer token required (the SQL API's). The copy is written under a
 * {@code .partial} name and renamed when complete, so a file without it is always a whole backup. One at a time.
 */
public final class BackupApi {

    private static final Logger LOG = LoggerFactory.getLogger(BackupApi.class);
    /** What a backup cut off by a stop leaves: {@code footfall-<time>.duckdb.partial}, and its write-ahead log. */
    private static final java.util.regex.Pattern UNFINISHED =
            java.util.regex.Pattern.compile("footfall-\\d{8}T\\d{6}Z\\.duckdb\\.partial(\\.wal)?");
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("'footfall-'yyyyMMdd'T'HHmmss'Z.duckdb'")
            .withZone(ZoneOffset.UTC);

    private final ApiToken token;
    private final Warehouse warehouse;
    private final Path dir;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();

    public BackupApi(ApiToken token, Warehouse warehouse, Path dir, Clock clock) {
        this.token = token;
        this.warehouse = warehouse;
        this.dir = dir.toAbsolutePath().normalize();
        this.clock = clock;
    }

    /** Where the copies go. */
    public Path dir() {
        return dir;
    }

    /**
     * Where a copy is written before it is moved into {@link #dir()}: the one directory the embedded DuckDB keeps open
     * once locked down (the copy goes through DuckDB), and it holds nothing but the copy under way. The finished
     * backups are outside it, out of reach of any SQL.
     */
    public Path stagingDir() {
        return dir.resolve(".partial");
    }

    public void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            Exchanges.error(exchange, 405, "method_not_allowed", "POST to start a backup");
            return;
        }
        if (!token.authorize(exchange)) {
            return;
        }
        try {
            Exchanges.noParams(exchange);
        } catch (BadParameterException e) {
            Exchanges.error(exchange, 400, "bad_parameter", e.getMessage() + " (the backup goes to " + dir + ", named by its time)");
            return;
        }
        if (!running.compareAndSet(false, true)) {
            Exchanges.error(exchange, 409, "backup_running", "a backup is being written; try again when it has finished");
            return;
        }
        try {
            backup(exchange);
        } finally {
            running.set(false);
        }
    }

    private void backup(HttpExchange exchange) throws IOException {
        long t0 = System.nanoTime();
        Path target = dir.resolve(NAME.format(clock.instant()));
        Path partial = stagingDir().resolve(target.getFileName() + ".partial");
        if (Files.exists(target)) {
            Exchanges.error(exchange, 409, "backup_exists", target + " exists already (one backup a second)");
            return;
        }
        long events;
        boolean dirMade = !Files.isDirectory(dir);
        try {
            if (dirMade) {
                ownerOnly(Files.createDirectories(dir), "rwx------");
            }
            if (!Files.isDirectory(stagingDir())) {
                ownerOnly(Files.createDirectories(stagingDir()), "rwx------"); // the copy under way is in it
            }
            deleteUnfinished(dir); // left by versions that wrote the copy beside the backups
            deleteUnfinished(stagingDir());
            events = warehouse.copyTo(partial);
            ownerOnly(partial, "rw-------");
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            removeStaging();
        } catch (UnsupportedOperationException e) {
            if (dirMade) {
                // A warehouse footfall does not copy (PostgreSQL) leaves no empty backup directory behind.
                Files.deleteIfExists(stagingDir());
                Files.deleteIfExists(dir);
            }
            Exchanges.error(exchange, 501, "not_supported", e.getMessage());
            return;
        } catch (SQLException | IOException e) {
            deletePartial(partial);
            removeStaging();
            String reason = firstLine(e.getMessage());
            LOG.warn("event=backup_failed file={} error=\"{}\"", target, reason);
            Exchanges.error(exchange, 500, "backup_failed", "the backup could not be written: " + reason);
            return;
        }
        long bytes = Files.size(target);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("event=backup_written file={} bytes={} events={} took_ms={}", target, bytes, events, tookMs);
        Exchanges.json(exchange, 200, g -> {
            g.writeStartObject();
            g.writeStringField("file", target.toString());
            g.writeNumberField("bytes", bytes);
            g.writeNumberField("events", events);
            g.writeNumberField("took_ms", tookMs);
            g.writeEndObject();
        });
    }

    /**
     * Every copy that did not complete, this one's included: one cut off by a stop of the process (one backup at a
     * time runs, so none of them is being written), and the write-ahead logs DuckDB may have left beside them.
     */
    private static void deleteUnfinished(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> UNFINISHED.matcher(f.getFileName().toString()).matches()).toList()) {
                Files.deleteIfExists(f);
                LOG.info("event=unfinished_backup_deleted file={}", f);
            }
        }
    }

    /** Between backups the staging directory is gone: the backups directory lists backups only. */
    private void removeStaging() {
        try {
            Files.deleteIfExists(stagingDir());
        } catch (IOException e) {
            // not empty (a write-ahead log DuckDB still holds): the next backup clears it
        }
    }

    /** A copy that did not complete, and the write-ahead log DuckDB may have left beside it. */
    private static void deletePartial(Path partial) throws IOException {
        Files.deleteIfExists(partial);
        Files.deleteIfExists(partial.resolveSibling(partial.getFileName() + ".wal"));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** A backup holds every event: the process's user's alone, like the API tokens (where the file system has modes). */
    private static void ownerOnly(Path path, String mode) {
        try {
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
        } catch (UnsupportedOperationException e) {
            // no POSIX modes here: the directory's protection is the operator's
        } catch (IOException e) {
            LOG.warn("event=backup_mode_not_set path={} mode={} error=\"{}\"", path, mode, e.getMessage());
        }
    }
}
