package io.footfall.query.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;

/**
 * The database's own parser as the judge of what {@link SqlGuard} admitted, so that no difference between a hand-made
 * lexer and the real one (a comment ended by a carriage return, nested comments, escapes, dollar tags) can smuggle a
 * second statement or a file past it.
 *
 * <ul>
 *   <li>DuckDB: {@code json_serialize_sql} parses the text with DuckDB's parser (it refuses anything but SELECT) and
 *   gives its syntax tree: exactly one statement; every table named must not look like a file path (DuckDB reads a
 *   file named where a table goes); every table function must be one of a few that read no file; no function that
 *   reads files, the environment or runs SQL text, however it was quoted; at most {@value #MAX_TABLES} tables.</li>
 *   <li>PostgreSQL: pgjdbc's own splitter, the one that would send the text, must find exactly one statement (the
 *   server then refuses a second command in one prepared statement); the rest is the read-only transaction's and
 *   the role's.</li>
 * </ul>
 */
final class ParserCheck {

    /** DuckDB's planner overflows the native stack at a few hundred joins (the JVM dies): far above any report. */
    static final int MAX_TABLES = 64;

    /** Table functions that read nothing but their arguments and the database's own catalog. */
    private static final Set<String> TABLE_FUNCTIONS = Set.of(
            "range", "generate_series", "unnest", "json_each", "json_tree", "duckdb_tables", "duckdb_columns",
            "duckdb_views", "duckdb_schemas", "duckdb_types", "duckdb_indexes", "duckdb_constraints", "duckdb_databases",
            "pragma_table_info", "pragma_storage_info");

    private static final ObjectMapper JSON = new ObjectMapper();

    private ParserCheck() {
    }

    static void duckDb(Connection c, String sql) throws SQLException, RefusedSqlException {
        JsonNode tree;
        try (PreparedStatement ps = c.prepareStatement("SELECT json_serialize_sql(?)")) {
            ps.setString(1, sql);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                tree = JSON.readTree(rs.getString(1));
            }
        } catch (IOException e) {
            throw new SQLException("DuckDB's parse of the statement cannot be read", e);
        }
        if (tree.path("error").asBoolean(false)) {
            String message = tree.path("error_message").asText("");
            if (message.startsWith("Only SELECT")) {
                throw new RefusedSqlException(400, "only SELECT statements are allowed");
            }
            throw new RefusedSqlException(400, "DuckDB cannot parse it: " + firstLine(message));
        }
        JsonNode statements = tree.path("statements");
        if (statements.size() != 1) {
            throw new RefusedSqlException(400, "multiple statements are not allowed; send one SELECT (DuckDB reads "
                    + statements.size() + ")");
        }
        Names known = Names.of(c, statements.get(0));
        int tables = 0;
        Deque<JsonNode> todo = new ArrayDeque<>(List.of(statements.get(0)));
        while (!todo.isEmpty()) {
            JsonNode node = todo.pop();
            if (node.isObject()) {
                String type = node.path("type").asText("");
                if (type.equals("BASE_TABLE")) {
                    tables++;
                    checkTableName(node, known);
                } else if (type.equals("TABLE_FUNCTION")) {
                    tables++;
                    // its catalog and schema too: a reference cut short at execution must not hide a path there
                    checkQualifier(node.path("function").path("catalog").asText(""), node.path("function").path("schema").asText(""), known);
                    String name = node.path("function").path("function_name").asText("").toLowerCase(Locale.ROOT);
                    if (!TABLE_FUNCTIONS.contains(name)) {
                        throw new RefusedSqlException(403, "table function " + name + "() is not allowed: the SQL API reads the "
                                + "warehouse's tables (and range, generate_series, unnest, json_each, duckdb_tables and a few more catalog functions:"
                                + " docs/api.md)");
                    }
                } else if (type.equals("FUNCTION") && SqlGuard.isForbiddenFunction(node.path("function_name").asText(""))) {
                    throw new RefusedSqlException(403, node.path("function_name").asText("").toLowerCase(Locale.ROOT)
                            + "() is not allowed: no file, network, environment or dynamic SQL access");
                }
                if (tables > MAX_TABLES) {
                    throw new RefusedSqlException(400, "more than " + MAX_TABLES + " tables in one statement");
                }
            }
            node.forEach(todo::push);
        }
    }

    /**
     * A table reference must name what the database has: DuckDB reads a file in place of a name it does not find (its
     * replacement scan, which joins every part of the name, globs included, into the file's path), so a name is
     * admitted only when each part is a plain word, there are at most three, the catalog and schema (when given) exist
     * and the table is a table, view or common table expression of this statement.
     */
    private static void checkTableName(JsonNode node, Names known) throws RefusedSqlException {
        List<String> parts = new java.util.ArrayList<>();
        node.path("qualified_name").path("path").forEach(p -> parts.add(p.asText("")));
        if (parts.isEmpty()) {
            for (String field : List.of("catalog_name", "schema_name", "table_name")) {
                if (!node.path(field).asText("").isEmpty()) {
                    parts.add(node.path(field).asText(""));
                }
            }
        }
        String name = String.join(".", parts);
        for (String part : parts) {
            if (SqlGuard.looksLikePath(part) || part.chars().anyMatch(ch -> "*?[]{}~".indexOf(ch) >= 0)) {
                throw new RefusedSqlException(403, "reading files is not allowed ('" + name + "' where a table goes names a file)");
            }
        }
        boolean ok = switch (parts.size()) {
            // a WITH query answers to its bare name only
            case 1 -> known.tables.contains(lower(parts.get(0))) || known.ctes.contains(lower(parts.get(0)));
            case 2 -> (known.schemas.contains(lower(parts.get(0))) || known.catalogs.contains(lower(parts.get(0))))
                    && known.tables.contains(lower(parts.get(1)));
            case 3 -> known.catalogs.contains(lower(parts.get(0))) && known.schemas.contains(lower(parts.get(1)))
                    && known.tables.contains(lower(parts.get(2)));
            default -> false;
        };
        if (!ok) {
            throw new RefusedSqlException(400, "no table, view or WITH query named '" + name + "' (a name the database "
                    + "does not have is read as a file, which the SQL API does not do)");
        }
    }

    private static void checkQualifier(String catalog, String schema, Names known) throws RefusedSqlException {
        for (String part : List.of(catalog, schema)) {
            if (!part.isEmpty() && !known.catalogs.contains(lower(part)) && !known.schemas.contains(lower(part))) {
                throw new RefusedSqlException(400, "no catalog or schema named '" + part + "'");
            }
        }
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static final String OWN = "database_name IN (current_database(), 'system', 'temp')";

    /** What names a statement may use as tables: the database's catalogs, schemas, tables and views, and its CTEs. */
    private record Names(Set<String> catalogs, Set<String> schemas, Set<String> tables, Set<String> ctes) {
        static Names of(Connection c, JsonNode statement) throws SQLException {
            Set<String> catalogs = new java.util.HashSet<>();
            Set<String> schemas = new java.util.HashSet<>();
            Set<String> tables = new java.util.HashSet<>();
            Set<String> ctes = new java.util.HashSet<>();
            try (java.sql.Statement st = c.createStatement();
                 // The warehouse's own catalog and DuckDB's built-in ones only: a database attached for a while (a backup's
                 // copy under way) is not the SQL API's to read, and a query holding it made the copy incomplete.
                 ResultSet rs = st.executeQuery("SELECT 'c', database_name FROM duckdb_databases() WHERE " + OWN + " UNION ALL "
                         + "SELECT 's', schema_name FROM duckdb_schemas() WHERE " + OWN + " UNION ALL "
                         + "SELECT 't', table_name FROM duckdb_tables() WHERE " + OWN + " UNION ALL "
                         + "SELECT 't', view_name FROM duckdb_views() WHERE " + OWN)) {
                while (rs.next()) {
                    String kind = rs.getString(1);
                    Set<String> into = kind.equals("c") ? catalogs : kind.equals("s") ? schemas : tables;
                    into.add(lower(rs.getString(2)));
                }
            }
            Deque<JsonNode> todo = new ArrayDeque<>(List.of(statement));
            while (!todo.isEmpty()) {
                JsonNode node = todo.pop();
                if (node.isObject() && node.has("cte_map")) {
                    node.path("cte_map").path("map").forEach(entry -> ctes.add(lower(entry.path("key").asText(""))));
                }
                node.forEach(todo::push);
            }
            return new Names(catalogs, schemas, tables, ctes);
        }
    }

    static void postgres(String sql) throws RefusedSqlException {
        // Both readings of a backslash in a string (standard_conforming_strings on and off): one statement under each.
        for (boolean standardStrings : new boolean[] {true, false}) {
            List<NativeQuery> queries;
            try {
                queries = Parser.parseJdbcSql(sql, standardStrings, false, true, false, false);
            } catch (SQLException e) {
                throw new RefusedSqlException(400, "the statement cannot be split: " + firstLine(e.getMessage()));
            }
            long statements = queries.stream().filter(q -> !q.nativeSql.isBlank()).count();
            if (statements != 1) {
                throw new RefusedSqlException(400, "multiple statements are not allowed; send one SELECT (the driver reads "
                        + statements + ")");
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
