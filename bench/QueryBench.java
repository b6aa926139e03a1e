import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.footfall.core.config.QueryConfig;
import io.footfall.core.warehouse.Warehouse;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.schema.Migrations;
import io.footfall.loader.schema.SessionRollup;
import io.footfall.loader.warehouse.DuckDbWarehouse;
import io.footfall.query.QueryServer;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.postgresql.PGConnection;

/**
 * The query benchmark: generates realistic events over 30 days into DuckDB or PostgreSQL, serves them with
 * the real QueryServer and times every stats endpoint warm (p50/p95), against a plain count(*) measured in
 * the same run as the reference.
 *
 * <pre>
 * java -cp 'footfall-app/target/footfall.jar:footfall-app/target/lib/*' bench/QueryBench.java \
 *     generate-duckdb FILE ROWS | generate-postgres JDBC_URL SCHEMA ROWS | bench-duckdb FILE | bench-postgres JDBC_URL SCHEMA |
 *     serve-duckdb FILE PORT
 * </pre>
 */
public class QueryBench {

    static final String SITE = "shop.example";
    static final String[] PATHS_TOP = {"/", "/pricing", "/blog", "/docs", "/signup", "/login", "/about", "/contact", "/features", "/changelog"};
    static final String[][] REFERRERS = { // host, type, weight %
            {null, "direct", "38"}, {"google.com", "search", "30"}, {"bing.com", "search", "6"}, {"duckduckgo.com", "search", "5"},
            {"t.co", "social", "6"}, {"news.ycombinator.com", "social", "4"}, {"facebook.com", "social", "3"},
            {"linkedin.com", "social", "2"}, {"mail.google.com", "email", "3"}, {"github.com", "other", "3"}};
    static final String[][] COUNTRIES = { // code, region, city, language, weight
            {"US", "CA", "San Francisco", "en-US", "18"}, {"US", "NY", "New York", "en-US", "12"}, {"DE", "BE", "Berlin", "de-DE", "8"},
            {"DE", "BY", "Munich", "de-DE", "4"}, {"GB", "ENG", "London", "en-GB", "10"}, {"FR", "IDF", "Paris", "fr-FR", "8"},
            {"IN", "KA", "Bengaluru", "en-IN", "8"}, {"BR", "SP", "São Paulo", "pt-BR", "6"}, {"CA", "ON", "Toronto", "en-CA", "5"},
            {"NL", "NH", "Amsterdam", "nl-NL", "4"}, {"JP", "13", "Tokyo", "ja-JP", "5"}, {"ES", "MD", "Madrid", "es-ES", "4"},
            {"PL", "MZ", "Warsaw", "pl-PL", "4"}, {"AU", "NSW", "Sydney", "en-AU", "4"}};
    static final String[][] CLIENTS = { // browser, os, device, screen, weight
            {"Chrome", "Windows", "desktop", "1920x1080", "26"}, {"Chrome", "macOS", "desktop", "1440x900", "10"},
            {"Safari", "macOS", "desktop", "1512x982", "7"}, {"Safari", "iOS", "mobile", "390x844", "16"},
            {"Chrome", "Android", "mobile", "412x915", "18"}, {"Firefox", "Windows", "desktop", "1920x1080", "5"},
            {"Firefox", "Linux", "desktop", "2560x1440", "3"}, {"Edge", "Windows", "desktop", "1536x864", "7"},
            {"Samsung Internet", "Android", "mobile", "360x780", "3"}, {"Safari", "iOS", "tablet", "820x1180", "5"}};
    static final String[][] CAMPAIGNS = {{"newsletter", "email", "black-friday"}, {"twitter", "social", "launch-week"},
            {"google", "cpc", "brand"}, {"google", "cpc", "competitors"}, {"partner", "referral", "spring-sale"}};
    static final String[] EVENTS = {"signup", "add_to_cart", "checkout", "download", "outbound_click"};

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "generate-duckdb" -> generateDuckDb(Path.of(args[1]), Long.parseLong(args[2]));
            case "generate-postgres" -> generatePostgres(args[1], args[2], Long.parseLong(args[3]));
            case "bench-duckdb" -> {
                try (DuckDbWarehouse w = DuckDbWarehouse.open(Path.of(args[1]))) {
                    w.migrate(); // a file generated before the sessions rollup existed gets it here
                    bench("duckdb", w);
                }
            }
            case "bench-postgres" -> {
                try (PgWarehouse w = new PgWarehouse(args[1], args[2])) {
                    bench("postgres", w);
                }
            }
            case "serve-duckdb" -> {
                DuckDbWarehouse w = DuckDbWarehouse.open(Path.of(args[1]));
                w.migrate();
                QueryServer server = new QueryServer(new QueryConfig("127.0.0.1", Integer.parseInt(args[2])), w, () -> "");
                int port = server.start();
                // The browser measures page loads, not the summaries the server builds at start.
                server.awaitSummaries(Duration.ofMinutes(5));
                System.out.println("serving on " + port);
                Thread.sleep(Long.MAX_VALUE);
            }
            case "browser-load" -> browserLoad(args[1]);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** One generated event: the columns the stats read (the rest stay null). */
    record Row(UUID id, String site, String type, String name, long atMs, String path, String referrerHost,
               String referrerType, String utmSource, String utmMedium, String utmCampaign, String visitor, String session,
               int seq, String browser, String os, String device, boolean bot, String country, String region, String city,
               String screen, String language) {
    }

    interface RowSink {
        void accept(Row r) throws Exception;
    }

    static String[] pick(SplittableRandom r, String[][] options, int weightIndex) {
        int total = 0;
        for (String[] o : options) {
            total += Integer.parseInt(o[weightIndex]);
        }
        int x = r.nextInt(total);
        for (String[] o : options) {
            x -= Integer.parseInt(o[weightIndex]);
            if (x < 0) {
                return o;
            }
        }
        return options[0];
    }

    static String path(SplittableRandom r) {
        double u = r.nextDouble();
        if (u < 0.55) {
            return PATHS_TOP[(int) (Math.pow(r.nextDouble(), 2) * PATHS_TOP.length)];
        }
        if (u < 0.80) {
            return "/blog/post-" + (int) (Math.pow(r.nextDouble(), 3) * 400);
        }
        return "/docs/page-" + (int) (Math.pow(r.nextDouble(), 2) * 600);
    }

    /**
     * Sessions of 1–12 events (45 % single page views, mean ≈ 2.4) by returning visitors (a pool of rows / 6),
     * over the 30 days before now with a day/night cycle; 90 % on the benchmarked site; 3 % bots; 7 % custom events.
     */
    static void generate(long rows, RowSink sink) throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        long end = Instant.now().toEpochMilli();
        long start = end - Duration.ofDays(30).toMillis();
        long visitorPool = Math.max(10, rows / 6);
        long written = 0;
        long session = 0;
        while (written < rows) {
            session++;
            double lu = r.nextDouble();
            int len = lu < 0.45 ? 1 : lu < 0.70 ? 2 : lu < 0.85 ? 3 : lu < 0.95 ? 5 : 12;
            String site = r.nextInt(100) < 90 ? SITE : r.nextBoolean() ? "blog.example" : "docs.example";
            String visitor = "v" + r.nextLong(visitorPool);
            String sessionId = "s" + session;
            long t;
            do {
                t = start + r.nextLong(end - start);
            } while (r.nextDouble() > 0.35 + 0.65 * Math.pow(Math.sin(Math.PI * ((t / 3_600_000L + 6) % 24) / 24.0), 2));
            String[] ref = pick(r, REFERRERS, 2);
            String[] geo = pick(r, COUNTRIES, 4);
            String[] client = pick(r, CLIENTS, 4);
            String[] utm = r.nextInt(100) < 12 ? CAMPAIGNS[r.nextInt(CAMPAIGNS.length)] : new String[3];
            boolean bot = r.nextInt(100) < 3;
            for (int seq = 1; seq <= len && written < rows; seq++) {
                boolean custom = seq > 1 && r.nextInt(100) < 15;
                sink.accept(new Row(new UUID(r.nextLong(), r.nextLong()), site, custom ? "event" : "pageview",
                        custom ? EVENTS[(int) (Math.pow(r.nextDouble(), 2) * EVENTS.length)] : null, Math.min(t, end - 1), path(r),
                        seq == 1 ? ref[0] : null, seq == 1 ? ref[1] : "internal", utm[0], utm[1], utm[2], visitor, sessionId, seq,
                        client[0], client[1], client[2], bot, geo[0], geo[1], geo[2], client[3], geo[3]));
                written++;
                t += 5_000 + r.nextLong(170_000);
            }
        }
    }

    static void generateDuckDb(Path file, long rows) throws Exception {
        long t0 = System.nanoTime();
        try (DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:")) {
            // Row groups as the loader writes them (DuckDbWarehouse.ROW_GROUP_ROWS, a setting of the attach).
            DuckDbWarehouse.attachAsDefault(c, file);
            Migrations.apply(c, Dialect.DUCKDB);
            // Sessions are generated one after the other at random times; the loader writes events in the order
            // they arrive. Stage them, then store them in time order, as a loaded table is.
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE generated AS SELECT * FROM events LIMIT 0");
            }
            try (DuckDBAppender a = c.createAppender("temp", "main", "generated")) {
                generate(rows, row -> {
                    a.beginRow();
                    a.append(row.id());
                    a.append(row.site());
                    a.append(row.type());
                    a.append(row.name());
                    a.appendEpochMicros(row.atMs() * 1000);
                    a.appendNull();
                    a.append("https://" + row.site() + row.path());
                    a.append(row.site());
                    a.append(row.path());
                    a.appendNull();
                    a.appendNull();
                    a.append(row.referrerHost() == null ? null : "https://" + row.referrerHost() + "/");
                    a.append(row.referrerHost());
                    a.append(row.referrerType());
                    a.append(row.utmSource());
                    a.append(row.utmMedium());
                    a.append(row.utmCampaign());
                    a.appendNull();
                    a.appendNull();
                    a.append(row.visitor());
                    a.append(row.session());
                    a.append(row.seq());
                    a.append(row.seq() == 1);
                    a.append(row.browser());
                    a.appendNull();
                    a.append(row.os());
                    a.appendNull();
                    a.append(row.device());
                    a.append(row.bot());
                    a.append(row.country());
                    a.append(row.region());
                    a.append(row.city());
                    a.append(row.screen());
                    a.append(row.language());
                    a.appendNull();
                    a.appendNull();
                    a.append("bench");
                    a.endRow();
                });
            }
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO events SELECT * FROM generated ORDER BY received_at");
                st.execute("DROP TABLE generated");
                // Rows went in around the loader: build its sessions rollup (and, for the page and event lists,
                // the hour versions) as the loader would have kept them.
                for (String sql : SessionRollup.rebuildStatements(Dialect.DUCKDB)) {
                    st.execute(sql);
                }
                st.execute("CHECKPOINT");
            }
        }
        System.out.printf(Locale.ROOT, "generated %,d rows into %s in %.1f s (%.0f MB)%n", rows, file,
                (System.nanoTime() - t0) / 1e9, Files.size(file) / 1e6);
    }

    static void generatePostgres(String url, String schema, long rows) throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                st.execute("CREATE SCHEMA " + schema);
                st.execute("SET search_path = " + schema);
            }
            Migrations.apply(c, Dialect.POSTGRES);
            String columns = "event_id, site, type, name, received_at, url, host, path, referrer, referrer_host, referrer_type, "
                    + "utm_source, utm_medium, utm_campaign, visitor_id, session_id, session_seq, is_new_session, browser, os, "
                    + "device_type, is_bot, country, region, city, screen, language, pipeline_version";
            StringWriter chunk = new StringWriter();
            long[] n = {0};
            generate(rows, row -> {
                csv(chunk, row.id(), row.site(), row.type(), row.name(), Instant.ofEpochMilli(row.atMs()),
                        "https://" + row.site() + row.path(), row.site(), row.path(),
                        row.referrerHost() == null ? null : "https://" + row.referrerHost() + "/", row.referrerHost(),
                        row.referrerType(), row.utmSource(), row.utmMedium(), row.utmCampaign(), row.visitor(), row.session(),
                        row.seq(), row.seq() == 1, row.browser(), row.os(), row.device(), row.bot(), row.country(),
                        row.region(), row.city(), row.screen(), row.language(), "bench");
                if (++n[0] % 200_000 == 0) {
                    copy(c, schema, columns, chunk);
                }
            });
            copy(c, schema, columns, chunk);
            try (Statement st = c.createStatement()) {
                for (String sql : SessionRollup.rebuildStatements(Dialect.POSTGRES)) {
                    st.execute(sql);
                }
                // VACUUM too (outside a transaction): the tables' visibility maps set now, not by autovacuum
                // while the benchmark runs (which made the first measurement after generating 1.5–8× slower).
                c.setAutoCommit(true);
                st.execute("VACUUM ANALYZE " + schema + ".events");
                st.execute("VACUUM ANALYZE " + schema + "." + SessionRollup.TABLE);
            }
        }
        System.out.printf(Locale.ROOT, "generated %,d rows into PostgreSQL schema %s in %.1f s%n", rows, schema,
                (System.nanoTime() - t0) / 1e9);
    }

    static void copy(Connection c, String schema, String columns, StringWriter chunk) throws Exception {
        String text = chunk.toString();
        chunk.getBuffer().setLength(0);
        if (!text.isEmpty()) {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + schema + ".events (" + columns
                    + ") FROM STDIN WITH (FORMAT csv)", new java.io.StringReader(text));
        }
    }

    static void csv(StringWriter out, Object... values) {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            Object v = values[i];
            if (v != null) {
                String s = v.toString();
                out.write('"');
                out.write(s.replace("\"", "\"\""));
                out.write('"');
            }
        }
        out.write('\n');
    }

    /** PostgreSQL for the benchmark: a small Hikari pool on one schema. */
    static final class PgWarehouse implements Warehouse {
        final HikariDataSource pool;

        PgWarehouse(String url, String schema) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
            config.setMaximumPoolSize(4);
            this.pool = new HikariDataSource(config);
        }

        @Override
        public String dialect() {
            return "postgres";
        }

        @Override
        public Connection readConnection() throws SQLException {
            return pool.getConnection();
        }

        @Override
        public String eventsTable() {
            return "events";
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    static void bench(String dialect, Warehouse w) throws Exception {
        long rows;
        try (Connection c = w.readConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM events")) {
            rs.next();
            rows = rs.getLong(1);
        }
        QueryServer server = new QueryServer(new QueryConfig("127.0.0.1", 0), w, () -> "");
        int port = server.start();
        // Time requests, not the summaries the server builds at start (DuckDB; seconds for 30 days of 10M events).
        server.awaitSummaries(Duration.ofMinutes(5));
        Instant to = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        Instant from = to.minus(30, ChronoUnit.DAYS);
        String range = "site=" + SITE + "&from=" + from + "&to=" + to;
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("summary 30 d (2 periods)", "/api/stats/summary?" + range);
        endpoints.put("summary 30 d, filter country==DE", "/api/stats/summary?" + range + "&filters=" + enc("country==DE"));
        endpoints.put("timeseries 30 d by day, LA", "/api/stats/timeseries?" + range + "&interval=day&tz=America/Los_Angeles");
        endpoints.put("timeseries 30 d by hour", "/api/stats/timeseries?" + range + "&interval=hour");
        for (String d : List.of("path", "entry_page", "exit_page", "referrer_host", "referrer_type", "utm_source", "utm_medium",
                "utm_campaign", "country", "region", "city", "browser", "os", "device_type", "screen", "language", "event_name")) {
            endpoints.put("top " + d + " 30 d", "/api/stats/top?" + range + "&dimension=" + d + "&limit=10");
        }
        for (String d : List.of("entry_page", "exit_page")) {
            endpoints.put("top " + d + " 30 d, path==/pricing", "/api/stats/top?" + range + "&dimension=" + d + "&limit=10"
                    + "&filters=" + enc("path==/pricing"));
        }
        endpoints.put("realtime", "/api/stats/realtime?site=" + SITE);
        endpoints.put("funnel 30 d, 3 steps", "/api/stats/funnel?" + range + "&steps=" + enc("path==/;path==/pricing;event_name==signup"));
        endpoints.put("funnel 30 d, 3 steps, country==DE", "/api/stats/funnel?" + range + "&steps="
                + enc("path==/;path==/pricing;event_name==signup") + "&filters=" + enc("country==DE"));
        HttpClient http = HttpClient.newHttpClient();
        double[] reference = time(() -> {
            try (Connection c = w.readConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM events WHERE site = '" + SITE + "'")) {
                rs.next();
            }
        });
        System.out.printf(Locale.ROOT, "%n%s, %,d rows; reference = JDBC count(*) of the site: p50 %.1f ms%n", dialect, rows, reference[0]);
        System.out.printf(Locale.ROOT, "%-36s %9s %9s %9s%n", (Object) ("endpoint (warm, " + Integer.getInteger("runs", 15) + " runs)"), "p50 ms", "p95 ms", "p50/ref");
        for (Map.Entry<String, String> e : endpoints.entrySet()) {
            String uri = "http://127.0.0.1:" + port + e.getValue();
            double[] t = time(() -> {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException(uri + " -> " + r.statusCode() + " " + r.body());
                }
            });
            System.out.printf(Locale.ROOT, "%-36s %9.1f %9.1f %9.1f%n", e.getKey(), t[0], t[1], t[0] / reference[0]);
        }
        // What the dashboard asks for on first load (7 days by default), all at once as the browser does.
        Instant weekFrom = to.minus(7, ChronoUnit.DAYS);
        String week = "site=" + SITE + "&from=" + weekFrom + "&to=" + to;
        List<String> firstLoad = new ArrayList<>(List.of("/api/sites", "/api/stats/summary?" + week,
                "/api/stats/timeseries?" + week + "&interval=day&tz=UTC", "/api/stats/realtime?site=" + SITE));
        for (String d : List.of("path", "referrer_host", "country", "browser", "event_name")) {
            firstLoad.add("/api/stats/top?" + week + "&dimension=" + d + "&limit=9");
        }
        double[] load = time(() -> {
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
            for (String path : firstLoad) {
                pending.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (var f : pending) {
                if (f.get().statusCode() != 200) {
                    throw new IllegalStateException("dashboard request failed: " + f.get().body());
                }
            }
        });
        System.out.printf(Locale.ROOT, "%-36s %9.1f %9.1f %9.1f%n", "dashboard first load, 9 API calls", load[0], load[1],
                load[0] / reference[0]);
        server.close();
    }

    /** Opens the dashboard in headless chromium 6 times (fresh profile each) and prints what the page measured. */
    static void browserLoad(String url) throws Exception {
        double[] ms = new double[6];
        for (int i = 0; i < ms.length; i++) {
            org.openqa.selenium.chrome.ChromeOptions options = new org.openqa.selenium.chrome.ChromeOptions();
            options.setBinary("/usr/bin/chromium");
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1400,1800",
                    "--user-data-dir=" + Files.createTempDirectory("footfall-bench-chromium"));
            org.openqa.selenium.chrome.ChromeDriverService service = new org.openqa.selenium.chrome.ChromeDriverService.Builder()
                    .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build();
            org.openqa.selenium.WebDriver driver = new org.openqa.selenium.chrome.ChromeDriver(service, options);
            try {
                driver.get(url);
                String value = new org.openqa.selenium.support.ui.WebDriverWait(driver, Duration.ofSeconds(60)).until(d ->
                        (String) ((org.openqa.selenium.JavascriptExecutor) d).executeScript("return document.documentElement.dataset.firstLoadMs"));
                ms[i] = Double.parseDouble(value);
                if (Boolean.getBoolean("timings") && i == ms.length - 1) {
                    // Where the last load's time went: the page's own milestones and every request, from navigation start.
                    System.out.println(((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                            "const n = performance.getEntriesByType('navigation')[0];"
                            + "return ['page: response end ' + Math.round(n.responseEnd) + ' ms, DOM interactive ' + Math.round(n.domInteractive)"
                            + " + ' ms, DOMContentLoaded end ' + Math.round(n.domContentLoadedEventEnd) + ' ms']"
                            + ".concat(performance.getEntriesByType('resource').map(r => Math.round(r.startTime) + ' -> '"
                            + " + Math.round(r.responseEnd) + ' ms  ' + r.name.replace(location.origin, ''))).join('\\n');"));
                }
            } finally {
                driver.quit();
            }
        }
        double[] warm = Arrays.copyOfRange(ms, 1, ms.length);
        Arrays.sort(warm);
        System.out.printf(Locale.ROOT, "dashboard first load in chromium, %s: first %.0f ms, then median %.0f ms, max %.0f ms (5 runs)%n",
                url.substring(url.indexOf('#')), ms[0], warm[warm.length / 2], warm[warm.length - 1]);
    }

    interface Action {
        void run() throws Exception;
    }

    /** Warm-up runs, then timed ones ({@code -Druns=}, default 15): {p50, p95} in ms. */
    static double[] time(Action a) throws Exception {
        int runs = Integer.getInteger("runs", 15);
        for (int i = 0; i < Math.max(1, runs / 5); i++) {
            a.run();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            a.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new double[]{ms[ms.length / 2], ms[(int) Math.ceil(ms.length * 0.95) - 1]};
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
