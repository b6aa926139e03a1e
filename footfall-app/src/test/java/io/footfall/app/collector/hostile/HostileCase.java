package io.footfall.app.collector.hostile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One line of the corpus: {@code name TAB expectation TAB request TAB body} (format in {@code hostile/README.md}).
 *
 * @param request {@code raw} (the body column is the whole request) or the standard request's extra header
 *                lines separated by {@code " | "}, optionally led by a request line such as {@code GET /v1/p.gif?...}
 */
public record HostileCase(Category category, int number, int line, String name, Expectation expectation, String request,
                   String body) {

    static final String USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 hostile/";

    /** A marker unique to this case in this run: {@code <run>-<category code>-<nnn>z}, never a prefix of another. */
    String marker(String run) {
        return String.format("%s-%s-%03dz", run, category.code(), number);
    }

    public String id() {
        return category.label() + "/" + name;
    }

    /** The bytes and pauses this case sends, with the marker filled in. */
    Script script(String marker) {
        if (request.equals("raw")) {
            return Script.expand(body, marker);
        }
        String requestLine = "POST /v1/events";
        List<String> headers = new ArrayList<>();
        String[] items = request.split(" \\| ");
        for (int i = 0; i < items.length; i++) {
            String h = items[i].trim();
            switch (h) {
                case "", "-" -> { }
                case "json" -> headers.add("Content-Type: application/json");
                case "ndjson" -> headers.add("Content-Type: application/x-ndjson");
                case "text" -> headers.add("Content-Type: text/plain;charset=UTF-8");
                case "gzip" -> headers.add("Content-Encoding: gzip");
                default -> {
                    int colon = h.indexOf(':');
                    int space = h.indexOf(' ');
                    if (i == 0 && space > 0 && (colon < 0 || space < colon)) {
                        requestLine = h;
                    } else {
                        headers.add(h);
                    }
                }
            }
        }
        List<String> transforms = new ArrayList<>();
        String bodyText = body;
        while (bodyText.startsWith("%")) {
            int space = bodyText.indexOf(' ');
            String t = space < 0 ? bodyText : bodyText.substring(0, space);
            transforms.add(t);
            bodyText = space < 0 ? "" : bodyText.substring(space + 1);
        }
        Script bodyScript = Script.expand(bodyText, marker);
        byte[] bodyBytes = transforms.isEmpty() ? null : Script.transform(bodyScript.bytes(), transforms);
        if (bodyBytes != null && !bodyScript.onlyBytes()) {
            throw new IllegalArgumentException(id() + ": a transformed body cannot pause");
        }
        int length = bodyBytes != null ? bodyBytes.length : bodyScript.bytes().length;

        StringBuilder head = new StringBuilder(requestLine).append(" HTTP/1.1\\r\\n");
        boolean framed = false;
        boolean agent = false;
        boolean host = false;
        for (String h : headers) {
            String lower = h.toLowerCase(java.util.Locale.ROOT);
            framed |= lower.startsWith("content-length:") || lower.startsWith("transfer-encoding:");
            agent |= lower.startsWith("user-agent:");
            host |= lower.startsWith("host:");
        }
        if (!host) {
            head.append("Host: collector.test\\r\\n");
        }
        for (String h : headers) {
            head.append(h).append("\\r\\n");
        }
        if (!agent) {
            head.append("User-Agent: ").append(USER_AGENT).append("${M}\\r\\n");
        }
        if (!framed && (length > 0 || requestLine.startsWith("POST"))) {
            head.append("Content-Length: ").append(length).append("\\r\\n");
        }
        head.append("\\r\\n");
        List<Script.Step> steps = new ArrayList<>(Script.expand(head.toString(), marker).steps());
        if (bodyBytes != null) {
            steps.add(new Script.Bytes(bodyBytes));
        } else {
            steps.addAll(bodyScript.steps());
        }
        return new Script(steps);
    }

    /** Reads one category's data file; a malformed line fails with its line number. */
    static List<HostileCase> load(Category category) {
        InputStream in = HostileCase.class.getResourceAsStream(category.resource());
        if (in == null) {
            throw new IllegalStateException("missing corpus file " + category.resource());
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return parse(category, reader.lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<HostileCase> parse(Category category, List<String> lines) {
        List<HostileCase> cases = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] columns = line.split("\t", -1);
            if (columns.length != 3 && columns.length != 4) {
                throw new IllegalArgumentException(category.resource() + ":" + (i + 1) + ": expected 4 tab-separated columns");
            }
            String name = columns[0].trim();
            if (!names.add(name)) {
                throw new IllegalArgumentException(category.resource() + ":" + (i + 1) + ": duplicate case name " + name);
            }
            try {
                cases.add(new HostileCase(category, cases.size() + 1, i + 1, name, Expectation.parse(columns[1]),
                        columns[2].trim(), columns.length == 4 ? columns[3] : ""));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(category.resource() + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return cases;
    }
}
