package io.footfall.query.sql;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import io.footfall.core.json.Json;
import io.footfall.query.http.Exchanges;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/sql}: one read-only SELECT, bearer token required. The body is either the SQL text
 * ({@code text/plain}, what {@code curl --data-binary} sends) or {@code {"sql": "..."}} ({@code application/json}).
 */
public final class SqlApi {

    private static final Logger LOG = LoggerFactory.getLogger(SqlApi.class);

    private final ApiToken token;
    private final SqlRunner runner;

    public SqlApi(ApiToken token, SqlRunner runner) {
        this.token = token;
        this.runner = runner;
    }

    public void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            Exchanges.error(exchange, 405, "method_not_allowed", "POST the SQL text");
            return;
        }
        if (!token.authorize(exchange)) {
            return;
        }
        String sql;
        try {
            sql = body(exchange);
        } catch (RefusedSqlException e) {
            Exchanges.error(exchange, e.status(), "bad_request", e.getMessage());
            return;
        }
        long t0 = System.nanoTime();
        try {
            String checked = SqlGuard.check(sql);
            SqlRunner.Result result = runner.run(checked);
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            if (wantsCsv(exchange)) {
                exchange.getResponseHeaders().set("X-Row-Count", Integer.toString(result.rows().size()));
                exchange.getResponseHeaders().set("X-Truncated", Boolean.toString(result.truncated()));
                Exchanges.send(exchange, 200, "text/csv; charset=utf-8; header=present", csv(result).getBytes(StandardCharsets.UTF_8));
            } else {
                Exchanges.json(exchange, 200, g -> write(g, result, elapsedMs));
            }
        } catch (RefusedSqlException e) {
            Exchanges.error(exchange, e.status(), e.status() == 403 ? "forbidden" : "not_read_only_select", e.getMessage());
        } catch (SqlRunner.SqlTimeoutException e) {
            Exchanges.error(exchange, 400, "statement_timeout", e.getMessage());
        } catch (SQLException e) {
            String message = firstLine(e.getMessage());
            boolean permission = isPermissionError(message, e.getSQLState());
            LOG.info("event=sql_refused by=database permission={}", permission);
            Exchanges.error(exchange, permission ? 403 : 400, permission ? "forbidden" : "sql_error", message);
        }
    }

    static boolean isPermissionError(String message, String sqlState) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("permission error") || m.contains("read-only transaction") || m.contains("permission denied")
                || m.contains("configuration has been locked") || "25006".equals(sqlState) || "42501".equals(sqlState);
    }

    private static String body(HttpExchange exchange) throws IOException, RefusedSqlException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(SqlGuard.MAX_LENGTH * 4 + 1);
        }
        if (bytes.length > SqlGuard.MAX_LENGTH * 4) {
            throw new RefusedSqlException(413, "the body is larger than " + SqlGuard.MAX_LENGTH * 4 + " bytes");
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            try (JsonParser p = Json.FACTORY.createParser(bytes)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new RefusedSqlException(400, "a JSON body must be an object {\"sql\": \"...\"}");
                }
                String sql = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("sql") && value == JsonToken.VALUE_STRING) {
                        sql = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
                return sql;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new RefusedSqlException(400, "the JSON body cannot be parsed");
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Whether the client asked for CSV ({@code Accept: text/csv}) rather than the JSON answer. */
    static boolean wantsCsv(HttpExchange exchange) {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/csv");
    }

    /**
     * The rows as CSV (RFC 4180): a header of the column names, CRLF line ends, a field quoted when it holds a comma,
     * a quote or a line break, SQL NULL as an empty field. Text that a spreadsheet would run as a formula (starting
     * with {@code = + - @}, a tab or a carriage return) gets a leading {@code '}: paths, titles and properties come
     * from any visitor of a site, and an export is opened in spreadsheets.
     */
    static String csv(SqlRunner.Result r) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < r.columns().size(); i++) {
            field(out.append(i == 0 ? "" : ","), r.columns().get(i));
        }
        out.append("\r\n");
        for (Object[] row : r.rows()) {
            for (int i = 0; i < row.length; i++) {
                Object v = row[i];
                if (i > 0) {
                    out.append(',');
                }
                if (v instanceof Number || v instanceof Boolean) {
                    out.append(v instanceof BigDecimal d ? d.toPlainString() : v.toString());
                } else if (v instanceof List<?> || v instanceof Map<?, ?>) {
                    field(out, jsonText(v));
                } else if (v != null) {
                    field(out, v.toString());
                }
            }
            out.append("\r\n");
        }
        return out.toString();
    }

    private static void field(StringBuilder out, String text) {
        String value = !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
        if (value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            out.append('"').append(value.replace("\"", "\"\"")).append('"');
        } else {
            out.append(value);
        }
    }

    private static void write(JsonGenerator g, SqlRunner.Result r, long elapsedMs) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("columns");
        for (int i = 0; i < r.columns().size(); i++) {
            g.writeStartObject();
            g.writeStringField("name", r.columns().get(i));
            g.writeStringField("type", r.types().get(i));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("rows");
        for (Object[] row : r.rows()) {
            g.writeStartArray();
            for (Object v : row) {
                value(g, v);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
        g.writeNumberField("row_count", r.rows().size());
        g.writeBooleanField("truncated", r.truncated());
        g.writeNumberField("elapsed_ms", elapsedMs);
        g.writeEndObject();
    }

    private static void value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof BigInteger bi) {
            g.writeNumber(bi);
        } else if (v instanceof BigDecimal bd) {
            g.writeNumber(bd);
        } else if (v instanceof Double d) {
            if (Double.isFinite(d)) {
                g.writeNumber(d);
            } else {
                g.writeString(Double.toString(d));
            }
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object e : list) {
                value(g, e);
            }
            g.writeEndArray();
        } else if (v instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName((String) e.getKey());
                value(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeString(v.toString());
        }
    }

    /** A list or struct as one CSV field: its JSON text. */
    private static String jsonText(Object v) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = Json.FACTORY.createGenerator(text)) {
            value(g, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    static String firstLine(String message) {
        if (message == null) {
            return "the database refused the statement";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
