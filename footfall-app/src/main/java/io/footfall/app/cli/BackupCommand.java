package io.footfall.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.footfall.core.config.ConfigException;
import io.footfall.core.config.FootfallConfig;
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
import java.util.Map;
import java.util.concurrent.Callable;
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

    @Mixin
    ConfigOptions options;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the running footfall's data directory (default ./data)")
    Path dataDir;

    @Option(names = "--admin-port", paramLabel = "PORT", description = "its query server port (default query.port, 8081)")
    Integer adminPort;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Map<String, String> flags = new LinkedHashMap<>();
        StandaloneCommand.put(flags, "dataDir", dataDir);
        StandaloneCommand.put(flags, "query.port", adminPort);
        FootfallConfig config = options.load(flags);
        Path tokenFile = config.dataDir().resolve(ApiToken.FILE_NAME);
        if (!Files.isReadable(tokenFile)) {
            throw new ConfigException("there is no " + ApiToken.FILE_NAME + " in " + config.dataDir().toAbsolutePath()
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
        } catch (ConnectException e) {
            throw new IllegalStateException("no footfall answers at " + uri.getHost() + ":" + uri.getPort() + " (query.port):"
                    + " a backup is written by the running footfall; with it stopped, copy "
                    + config.loader().duckdbPath() + " itself");
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("backup refused (" + response.statusCode() + "): "
                    + (body.hasNonNull("detail") ? body.get("detail").asText() : response.body()));
        }
        System.out.printf("footfall: backup written: %s (%,.1f MB, %,d events, %.1f s)%n", body.get("file").asText(),
                body.get("bytes").asLong() / 1e6, body.get("events").asLong(), body.get("took_ms").asLong() / 1e3);
        System.out.println("footfall: to restore it: stop footfall, then 'footfall restore " + body.get("file").asText() + "'");
        return 0;
    }

    private static JsonNode parse(String body) {
        try {
            return new ObjectMapper().readTree(body);
        } catch (IOException e) {
            return new ObjectMapper().createObjectNode();
        }
    }
}
