package io.footfall.app.cli;

import io.footfall.core.config.ConfigException;
import io.footfall.core.config.FootfallConfig;
import io.footfall.loader.schema.Deletions;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code footfall restore FILE}: puts a backup ({@code footfall backup}) in place of the stopped footfall's DuckDB
 * file. The file it replaces is kept beside it, its write-ahead log with it (left in place, DuckDB would replay it
 * onto the restored file). On the next start the loader goes on from the backup's stored offsets: what came after the
 * backup is loaded again from {@code footfall.events}, as far as Kafka still holds it, exactly once.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Put a backup (footfall backup) in place of the DuckDB warehouse of a stopped footfall; the file it "
                + "replaces is kept beside it. On the next start the loader reloads from Kafka what came after the backup.")
public final class RestoreCommand implements Callable<Integer> {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Mixin
    ConfigOptions options;

    @Parameters(index = "0", paramLabel = "FILE", description = "a backup written by footfall backup")
    Path backup;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the data directory to restore into (default ./data)")
    Path dataDir;

    @Option(names = "--new-topics", description = "the Kafka topics are not the backup's (a new machine or cluster): forget "
            + "its stored offsets, so that the loader reads the topics there are from their start")
    boolean newTopics;

    @Override
    public Integer call() throws IOException {
        Map<String, String> flags = new LinkedHashMap<>();
        StandaloneCommand.put(flags, "dataDir", dataDir);
        FootfallConfig config = options.load(flags);
        if (config.loader().warehouse().equals("postgres")) {
            throw new ConfigException("loader.warehouse is postgres: restore its schema with PostgreSQL's tools (pg_restore)");
        }
        if (!Files.isRegularFile(backup)) {
            throw new ConfigException("there is no backup file " + backup.toAbsolutePath());
        }
        Path live = config.loader().duckdbPath().toAbsolutePath();
        Path wal = live.resolveSibling(live.getFileName() + ".wal");
        if (Files.exists(live) && Files.isSameFile(backup, live)) {
            throw new ConfigException(backup + " is the live warehouse itself; give a backup (footfall backup writes them to "
                    + live.resolveSibling("backups") + ")");
        }
        String contents = describe(backup);
        if (Files.exists(live)) {
            requireStopped(live);
        }
        Files.createDirectories(live.getParent());
        // The copy first, beside the live file: a copy that fails (a full disk) leaves the live file where it was.
        Path partial = live.resolveSibling(live.getFileName() + ".restoring");
        try {
            Files.copy(backup, partial, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw new IllegalStateException("the backup cannot be copied beside " + live + " (" + e
                    + "); nothing was changed");
        }
        String kept = "";
        Path aside = null;
        if (Files.exists(live)) {
            requireStopped(live); // again: the copy may have taken minutes, long enough for a supervisor to start footfall
            aside = live.resolveSibling(live.getFileName() + ".before-restore-" + STAMP.format(Clock.systemUTC().instant()));
            Files.move(live, aside);
            if (Files.exists(wal)) {
                Files.move(wal, aside.resolveSibling(aside.getFileName() + ".wal"));
            }
            kept = "; the file it replaced is kept as " + aside + " (delete it once the restore is checked)";
        } else {
            Files.deleteIfExists(wal);
        }
        Files.move(partial, live, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("footfall: restored " + backup.toAbsolutePath() + " (" + contents + ") as " + live + kept);
        if (aside != null) {
            reapplyDeletions(aside, live);
        }
        if (newTopics) {
            forgetOffsets(live);
            System.out.println("footfall: the backup's stored offsets are forgotten (--new-topics): on the next start the loader"
                    + " reads footfall.events from its start");
            return 0;
        }
        System.out.println("footfall: on the next start the loader goes on from the backup's offsets and loads again what"
                + " came after it, as far as footfall.events still holds it (other topics than the backup's: --new-topics)");
        return 0;
    }

    /** What the backup holds, read from it (read-only): also proves it is a whole footfall warehouse. */
    private static String describe(Path file) {
        try (Connection c = readOnly(file);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM footfall_offsets),"
                     + " (SELECT max(received_at) FROM events)")) {
            rs.next();
            long partitions = rs.getLong(2);
            long events = rs.getLong(1);
            return String.format("%,d event%s, the latest received %s; offsets of %d partition%s", events, events == 1 ? "" : "s",
                    rs.getObject(3) == null ? "never" : rs.getString(3), partitions, partitions == 1 ? "" : "s");
        } catch (SQLException e) {
            throw new ConfigException(file + " is not a footfall backup: " + firstLine(e.getMessage()));
        }
    }

    /**
     * Deletions ({@code footfall delete}) that the replaced file recorded and the backup does not hold were made after
     * the backup: they are made again on the restored file, so that restoring an older backup does not bring a
     * deleted site's events back (nor, through the deletion log, does the loader's reload from Kafka).
     */
    private static void reapplyDeletions(Path replaced, Path live) {
        List<Deletions.Range> made;
        try (Connection c = readOnly(replaced)) {
            made = hasDeletionLog(c) ? Deletions.read(c, Dialect.DUCKDB) : List.of();
        } catch (SQLException e) {
            System.err.println("footfall: warning: the deletion log of " + replaced + " cannot be read (" + firstLine(e.getMessage())
                    + "): if footfall delete ran after the backup, run it again");
            return;
        }
        if (made.isEmpty()) {
            return;
        }
        try (DuckDbWarehouse restored = DuckDbWarehouse.open(live)) {
            restored.migrate();
            Set<Deletions.Range> held = new HashSet<>(restored.deletions());
            int again = 0;
            long events = 0;
            for (Deletions.Range range : made) {
                if (!held.contains(range)) {
                    events += restored.deleteSite(range.site(), micros(range.fromMicros()), micros(range.toMicros()));
                    again++;
                }
            }
            if (again > 0) {
                System.out.printf(Locale.ROOT, "footfall: %d deletion%s (footfall delete) made after the backup made again: %,d"
                        + " event%s deleted%n", again, again == 1 ? "" : "s", events, events == 1 ? "" : "s");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the restored file is in place, but the deletions made after the backup could not"
                    + " be made again on it (" + firstLine(e.getMessage()) + "): run footfall delete again before starting");
        }
    }

    private static void forgetOffsets(Path live) {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + live); Statement st = c.createStatement()) {
            st.execute("DELETE FROM footfall_offsets");
        } catch (SQLException e) {
            throw new IllegalStateException("the restored file is in place, but its offsets could not be forgotten ("
                    + firstLine(e.getMessage()) + "): run footfall restore again with --new-topics");
        }
    }

    private static boolean hasDeletionLog(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables"
                + " WHERE table_name = '" + Deletions.TABLE + "'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    private static Instant micros(long epochMicros) {
        return Instant.EPOCH.plus(epochMicros, ChronoUnit.MICROS);
    }

    private static Connection readOnly(Path file) throws SQLException {
        Properties readOnly = new Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), readOnly);
    }

    /** DuckDB admits one process per file: a file that cannot be opened here is in use. */
    private static void requireStopped(Path live) {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + live)) {
            c.isValid(1);
        } catch (SQLException e) {
            throw new IllegalStateException(live + " cannot be opened (" + firstLine(e.getMessage())
                    + "): is footfall running on it? stop it first");
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
