package io.footfall.query.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.footfall.core.config.QueryConfig;
import io.footfall.query.QueryServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The same fixture in DuckDB and in PostgreSQL, each served by a real {@link QueryServer} on an ephemeral port:
 * a test asks both the same question over HTTP.
 */
public final class ServedWarehouses implements AutoCloseable {

    /** Fills a fresh warehouse with a test's rows. */
    @FunctionalInterface
    public interface Fixture {
        void fill(TestWarehouse w) throws Exception;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Map<String, TestWarehouse> warehouses = new LinkedHashMap<>();
    private final Map<String, QueryServer> servers = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();

    /** @param name names the DuckDB file in {@code dir} and the PostgreSQL schema */
    public static ServedWarehouses start(Path dir, String name, Fixture fixture) throws Exception {
        ServedWarehouses served = new ServedWarehouses();
        try {
            for (String dialect : List.of("duckdb", "postgres")) {
                TestWarehouse w = TestWarehouse.of(dialect, dir, name);
                served.warehouses.put(dialect, w);
                fixture.fill(w);
                QueryServer server = new QueryServer(new QueryConfig("127.0.0.1", 0), w, () -> "");
                served.servers.put(dialect, server);
                served.ports.put(dialect, server.start());
            }
            return served;
        } catch (Exception | Error e) {
            served.close();
            throw e;
        }
    }

    public Set<String> dialects() {
        return ports.keySet();
    }

    /** GETs {@code pathAndQuery} from the dialect's server, asserts the status and returns the JSON body. */
    public JsonNode get(String dialect, String pathAndQuery, int expectedStatus) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(dialect) + pathAndQuery))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, r.statusCode(), dialect + " " + pathAndQuery + " -> " + r.body());
        return JSON.readTree(r.body());
    }

    @Override
    public void close() {
        servers.values().forEach(QueryServer::close);
        warehouses.values().forEach(TestWarehouse::close);
    }
}
