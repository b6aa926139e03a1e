package io.footfall.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.footfall.app.standalone.Roles;
import io.footfall.core.config.ConfigException;
import io.footfall.core.config.FootfallConfig;
import io.footfall.loader.warehouse.PostgresWarehouse;
import io.footfall.query.sql.ApiToken;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code footfall backup}: asks the running footfall (standalone or DuckDB loader) for a copy of its warehouse through
 * {@code POST /api/backup} on its query port, with the token in its data directory, and says where it went.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Copy the running footfall's DuckDB warehouse, consistently and while it loads, into <data-dir>/backups "
                + "(restore it with 'footfall restore FILE').")
public final class BackupCommand implements Callable<Integer> {

    /** The names {@code POST /api/backup} gives its files: what {@code --keep} may delete, nothing else. */
    private static final Pattern BACKUP_NAME = Pattern.compile("footfall-\\d{8}T\\d{6}Z\\.duckdb");

    @Mixin
    ConfigOptions options;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the running footfall's data directory (default ./data)")
    Path dataDir;

    @Option(names = "--admin-port", paramLabel = "PORT", description = "its query server port (default query.port, 8081)")
    Integer adminPort;

    @Option(names = "--keep", paramLabel = "N", description = "after a backup, delete all but the newest N in the backup "
            + "directory (default: delete none)")
    Integer keep;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (keep != null && keep < 1) {
            throw new ConfigException("--keep: at least 1 (the backup just written); got " + keep);
        }
        Map<String, String> flags = new LinkedHashMap<>();
        StandaloneCommand.put(flags, "dataDir", dataDir);
        StandaloneCommand.put(flags, "query.port", adminPort);
        FootfallConfig config = options.load(flags);
        if (config.loader().warehouse().equals("postgres")) {
            // Said at once: no token or query port to find first for an answer that is not a backup.
            throw new ConfigException("loader.warehouse is postgres: " + PostgresWarehouse.backupAdvice(config.loader().schema()));
        }
        Path tokenFile = config.dataDir().resolve(ApiToken.ADMIN_FILE_NAME);
        if (!Files.isReadable(tokenFile)) {
            throw new ConfigException("there is no " + ApiToken.ADMIN_FILE_NAME + " in " + config.dataDir().toAbsolutePath()
                    + ": give the running footfall's data directory (--data-dir or dataDir)");
        }
        String token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
        String host = config.query().host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            host = "127.0.0.1";
        }
        URI uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + config.query().port() + "/api/backup");
        System.out.println("footfall: writing a backup through " + uri + " ...");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        // No request timeout: a copy of a large warehouse takes minutes, and the server answers when it is written.
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | java.net.http.HttpConnectTimeoutException e) {
            throw new IllegalStateException("no footfall answers at " + uri.getHost() + ":" + uri.getPort() + " (query.port):"
                    + " a backup is written by the running footfall; with it stopped, copy "
                    + config.loader().duckdbPath() + " itself");
        } catch (IOException e) {
            throw new IllegalStateException("the connection to " + uri.getHost() + ":" + uri.getPort() + " ended before the backup"
                    + " was written (" + e.getMessage() + "): was footfall stopped? the next backup removes what this one left");
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("backup refused (" + response.statusCode() + "): "
                    + (body.hasNonNull("detail") ? body.get("detail").asText() : response.body()));
        }
        long events = body.get("events").asLong();
        System.out.printf("footfall: backup written: %s (%,.1f MB, %,d event%s, %.1f s)%n", body.get("file").asText(),
                body.get("bytes").asLong() / 1e6, events, events == 1 ? "" : "s", body.get("took_ms").asLong() / 1e3);
        System.out.println("footfall: to restore it: stop footfall, then 'footfall restore " + body.get("file").asText() + "'");
        if (keep != null) {
            // This side's view of the data directory (the server's path may be another mount of it).
            prune(config.dataDir().resolve(Roles.BACKUP_DIR), keep);
        }
        return 0;
    }

    /** Deletes all but the newest {@code keep} backups in {@code dir} (their names sort by their time). */
    private static void prune(Path dir, int keep) throws IOException {
        List<Path> backups;
        try (Stream<Path> files = Files.list(dir)) {
            backups = files.filter(f -> BACKUP_NAME.matcher(f.getFileName().toString()).matches()).sorted().toList();
        }
        for (Path old : backups.subList(0, Math.max(0, backups.size() - keep))) {
            Files.delete(old);
            System.out.println("footfall: deleted the older backup " + old);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return new ObjectMapper().readTree(body);
        } catch (IOException e) {
            return new ObjectMapper().createObjectNode();
        }
    }
}
