package io.footfall.query.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The first of two walls around user SQL: a lexer that sees through string literals, quoted identifiers
 * and comments, and admits exactly one SELECT (or WITH ... SELECT) that names no writing, configuring or
 * file-reading keyword or function. The second wall is the database itself (DuckDB with external access
 * disabled and its configuration locked; PostgreSQL in a read-only transaction), so a trick that fools
 * this lexer still cannot write or read files.
 */
public final class SqlGuard {

    /** Deeper than any hand-written query; DuckDB's binder recurses per level of nested subquery (see QueryServer). */
    static final int MAX_DEPTH = 64;

    /** Longer than any hand-written analytics query; bounds the lexer's work. */
    public static final int MAX_LENGTH = 64 * 1024;

    private static final Set<String> STATEMENT_KEYWORDS = Set.of(
            "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "CREATE", "DROP", "ALTER", "TRUNCATE", "COPY", "ATTACH",
            "DETACH", "PRAGMA", "INSTALL", "LOAD", "EXPORT", "IMPORT", "CALL", "CHECKPOINT", "VACUUM", "GRANT",
            "REVOKE", "EXECUTE", "PREPARE", "DEALLOCATE", "LOCK", "LISTEN", "NOTIFY", "REFRESH", "REINDEX", "CLUSTER",
            "COMMENT", "SECURITY", "DO");

    /** Table functions and functions that touch files, the network, the environment or run SQL text. */
    private static final Set<String> FUNCTIONS = Set.of(
            "read_csv", "read_csv_auto", "read_parquet", "parquet_scan", "parquet_metadata", "parquet_schema",
            "read_json", "read_json_auto", "read_json_objects", "read_ndjson", "read_ndjson_auto", "read_ndjson_objects",
            "read_text", "read_blob", "read_xlsx", "sniff_csv", "glob", "st_read", "delta_scan", "iceberg_scan",
            "iceberg_metadata", "query", "query_table", "getenv", "duckdb_secrets", "duckdb_extensions", "load_extension",
            "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "pg_ls_logdir", "pg_ls_waldir",
            "pg_ls_tmpdir", "pg_ls_archive_statusdir", "lo_import", "lo_export", "lo_get", "lo_put", "lo_from_bytea",
            "dblink", "dblink_exec", "dblink_connect", "set_config", "pg_terminate_backend", "pg_cancel_backend",
            "pg_reload_conf", "pg_rotate_logfile", "pg_sleep_for", "pg_sleep_until", "current_setting", "read_duckdb",
            "parquet_file_metadata", "parquet_kv_metadata", "parquet_bloom_probe", "read_xlsx_auto",
            // PostgreSQL: SQL text in a string, effects that outlive the rolled-back transaction, server files
            "ts_stat", "ts_rewrite", "pg_switch_wal", "pg_create_restore_point", "pg_notify", "pg_logical_emit_message",
            "pg_promote", "pg_log_backend_memory_contexts", "txid_current", "pg_current_xact_id",
            "nextval", "setval", "pg_stat_reset", "pg_import_system_collations", "pg_replication_origin_create");

    /** PostgreSQL's views of password hashes, server files and other sessions' statements. */
    private static final Set<String> CATALOGS = Set.of("pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings",
            "pg_file_settings", "pg_hba_file_rules", "pg_ident_file_mappings", "pg_stat_activity", "pg_settings",
            "pg_statistic", "pg_stats", "pg_stats_ext", "pg_statistic_ext_data");

    /** Name prefixes and suffixes of DuckDB's file readers, present and future ({@code read_json_objects_auto}, ...). */
    // json_serialize_plan binds the SQL text it is given: binding opens files (read_csv samples them) past every check
    private static final List<String> FUNCTION_PREFIXES = List.of("read_", "parquet_", "sniff_", "json_execute", "json_serialize_plan", "query",
            "iceberg_", "delta_", "enable_", "disable_", "truncate_", "pg_advisory", "pg_try_advisory", "pg_create_",
            "pg_drop_", "pg_read_", "pg_ls_", "pg_file", "pg_stat_reset", "pg_replication", "lo_", "dblink", "pg_logical_",
            "pg_copy_", "pg_show_", "pg_stat_get_", "pg_wal_", "pg_backup_", "pg_hba_", "pg_ident_");

    /** Whether a function of this name (any case) may read files, the environment or settings, or run SQL text. */
    static boolean isForbiddenFunction(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return FUNCTIONS.contains(n) || n.endsWith("_scan") || n.endsWith("_to_xml") || n.endsWith("_to_xmlschema")
                || n.endsWith("_to_xml_and_xmlschema") || FUNCTION_PREFIXES.stream().anyMatch(n::startsWith)
                || n.contains("secret") || n.contains("checkpoint");
    }

    /** Words after which the next item names a table (or, in DuckDB, a file by a string or quoted name). */
    private static final Set<String> TABLE_BEFORE = Set.of(
            "FROM", "JOIN", "LATERAL", "PIVOT", "UNPIVOT", "SUMMARIZE", "DESCRIBE", "SHOW", "TABLE");

    /** Words that end a FROM clause at their nesting level: a comma after them no longer separates tables. */
    private static final Set<String> FROM_CLAUSE_END = Set.of(
            "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "QUALIFY", "WINDOW", "UNION", "EXCEPT", "INTERSECT",
            "SELECT", "RETURNING", "FETCH");

    private SqlGuard() {
    }

    private enum Kind { WORD, STRING, QUOTED, SEMICOLON, OPEN_PAREN, CLOSE_PAREN, COMMA, OTHER }

    private record Token(Kind kind, String text) {
    }

    /**
     * @return the statement without a trailing semicolon, ready to run
     * @throws RefusedSqlException naming what is not allowed
     */
    public static String check(String sql) throws RefusedSqlException {
        if (sql == null || sql.isBlank()) {
            throw new RefusedSqlException(400, "the body holds no SQL");
        }
        if (sql.length() > MAX_LENGTH) {
            throw new RefusedSqlException(400, "SQL longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f) {
                // anywhere, strings and comments included: a NUL ends the text for one of DuckDB's two parses and not
                // for the other, and the others are space to some readers and not to others
                throw new RefusedSqlException(400, "control character U+" + String.format("%04X", (int) c) + " in the text");
            }
        }
        List<Token> tokens = tokens(sql);
        int depth = 0;
        for (Token t : tokens) {
            depth += t.kind == Kind.OPEN_PAREN ? 1 : t.kind == Kind.CLOSE_PAREN ? -1 : 0;
            if (depth > MAX_DEPTH) {
                throw new RefusedSqlException(400, "nested deeper than " + MAX_DEPTH + " parentheses");
            }
        }
        int end = tokens.size();
        while (end > 0 && tokens.get(end - 1).kind == Kind.SEMICOLON) {
            end--;
        }
        for (int i = 0; i < end; i++) {
            if (tokens.get(i).kind == Kind.SEMICOLON) {
                throw new RefusedSqlException(400, "multiple statements are not allowed; send one SELECT");
            }
        }
        tokens = tokens.subList(0, end);
        if (tokens.isEmpty()) {
            throw new RefusedSqlException(400, "the body holds no SQL");
        }
        Token first = tokens.get(0);
        String firstWord = first.kind == Kind.WORD ? first.text.toUpperCase(Locale.ROOT) : first.text;
        if (!firstWord.equals("SELECT") && !firstWord.equals("WITH")) {
            throw new RefusedSqlException(400, "only SELECT statements are allowed (this one starts with " + firstWord + ")");
        }
        checkTableSources(tokens);
        checkPlanSize(tokens);
        for (int i = 0; i + 1 < tokens.size(); i++) {
            if (tokens.get(i).kind == Kind.WORD && tokens.get(i).text.equalsIgnoreCase("NOT")
                    && tokens.get(i + 1).kind == Kind.WORD && tokens.get(i + 1).text.equalsIgnoreCase("MATERIALIZED")) {
                // a chain of inlined CTEs each joining the last with itself doubles the work per level past any timeout
                throw new RefusedSqlException(400, "NOT MATERIALIZED is not supported: let the database decide");
            }
        }
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind != Kind.WORD) {
                continue;
            }
            String upper = t.text.toUpperCase(Locale.ROOT);
            // Where a statement (or a writable CTE's, or FOR UPDATE's lock) can start: first, after "(" or after FOR.
            // Elsewhere the word is a name: count(*) AS load, duckdb_tables()'s comment column. (One statement and
            // read-only are the database parser's and the transaction's to make sure of in any case.)
            Token before = i == 0 ? null : tokens.get(i - 1);
            boolean statementPlace = before == null || before.kind == Kind.OPEN_PAREN && before.text.equals("(")
                    || before.kind == Kind.WORD && before.text.equalsIgnoreCase("FOR");
            if (STATEMENT_KEYWORDS.contains(upper) && statementPlace) {
                throw new RefusedSqlException(403, upper + " is not allowed: the SQL API is read-only");
            }
        }
        for (Token t : tokens) {
            String name = name(t);
            if ((t.kind == Kind.WORD || t.kind == Kind.QUOTED) && CATALOGS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new RefusedSqlException(403, name.toLowerCase(Locale.ROOT) + " is not readable through the SQL API");
            }
        }
        for (int i = 0; i + 1 < tokens.size(); i++) {
            Token t = tokens.get(i);
            if ((t.kind == Kind.WORD || t.kind == Kind.QUOTED) && tokens.get(i + 1).kind == Kind.OPEN_PAREN) {
                String name = name(t); // "read_csv"(...) calls read_csv as surely as read_csv(...) does
                if (isForbiddenFunction(name)) {
                    throw new RefusedSqlException(403, name.toLowerCase(Locale.ROOT)
                            + "() is not allowed: no file, network, environment or dynamic SQL access");
                }
            }
        }
        return sql.substring(0, endOffset(sql));
    }

    /**
     * DuckDB reads a file named where a table goes: {@code FROM 'x.csv'}, {@code FROM "x.csv"}, {@code FROM events,
     * ('x.csv')}, {@code (PIVOT 'x.csv' ...)}, {@code (DESCRIBE 'x.csv')}. A table position is the item after FROM, JOIN,
     * LATERAL, PIVOT, UNPIVOT, SUMMARIZE, DESCRIBE, SHOW or TABLE, after a comma between a FROM clause's tables, and
     * inside a parenthesis opened at one. There a string is refused, and so is a quoted name that looks like a path
     * (holds {@code .}, {@code /}, {@code \} or {@code :}); a plain quoted table name such as {@code "events"} is not.
     */
    private static void checkTableSources(List<Token> tokens) throws RefusedSqlException {
        List<Level> levels = new ArrayList<>();
        levels.add(new Level(null));
        boolean tablePosition = false;
        int tables = 0;
        Token previous = null;
        Token beforePrevious = null;
        for (Token t : tokens) {
            Level level = levels.get(levels.size() - 1);
            if (tablePosition && (t.kind == Kind.STRING || t.kind == Kind.QUOTED && looksLikePath(t.text))) {
                throw new RefusedSqlException(403, "reading files is not allowed (" + (t.kind == Kind.STRING ? "a string" : "a quoted name")
                        + " where a table goes names a file)");
            }
            // a IS [NOT] DISTINCT FROM b compares; UNION DISTINCT FROM t (DuckDB) names a table
            boolean isDistinctFrom = previous != null && previous.kind == Kind.WORD && previous.text.equalsIgnoreCase("DISTINCT")
                    && beforePrevious != null && beforePrevious.kind == Kind.WORD
                    && (beforePrevious.text.equalsIgnoreCase("IS") || beforePrevious.text.equalsIgnoreCase("NOT"));
            switch (t.kind) {
                // a table position carries into the parenthesis; the word before it tells a function's from a query's
                case OPEN_PAREN -> levels.add(new Level(previous != null && previous.kind == Kind.WORD
                        ? previous.text.toUpperCase(Locale.ROOT) : null));
                case CLOSE_PAREN -> {
                    if (levels.size() > 1) {
                        levels.remove(levels.size() - 1);
                    }
                    tablePosition = false;
                }
                case COMMA -> tablePosition = level.inFrom;
                case WORD -> {
                    String upper = t.text.toUpperCase(Locale.ROOT);
                    // EXTRACT(year FROM ts), TRIM('x' FROM s), a IS DISTINCT FROM b: FROMs that name no table
                    boolean tableFrom = upper.equals("FROM") && (level.opener == null || !FUNCTIONS_WITH_FROM.contains(level.opener))
                            && !isDistinctFrom;
                    if (tableFrom) {
                        level.inFrom = true;
                    } else if (FROM_CLAUSE_END.contains(upper)) {
                        level.inFrom = false;
                    }
                    tablePosition = tableFrom || !upper.equals("FROM") && TABLE_BEFORE.contains(upper);
                }
                default -> tablePosition = false;
            }
            if (tablePosition && ++tables > ParserCheck.MAX_TABLES) {
                throw new RefusedSqlException(400, "more than " + ParserCheck.MAX_TABLES + " tables in one statement");
            }
            beforePrevious = previous;
            previous = t;
        }
    }

    /** DuckDB plans a chain of INTERSECT/EXCEPT in time that grows with its cube (490 links: 74 s, uncancellable). */
    static final int MAX_SET_OPERATIONS = 16;
    /** CUBE over n columns is 2^n grouping sets: 15 took 37 s and 5 GB past the cancel. */
    static final int MAX_CUBE_COLUMNS = 8;

    private static void checkPlanSize(List<Token> tokens) throws RefusedSqlException {
        int setOperations = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind != Kind.WORD) {
                continue;
            }
            if ((t.text.equalsIgnoreCase("INTERSECT") || t.text.equalsIgnoreCase("EXCEPT")) && ++setOperations > MAX_SET_OPERATIONS) {
                throw new RefusedSqlException(400, "more than " + MAX_SET_OPERATIONS + " INTERSECT/EXCEPT in one statement");
            }
            if (t.text.equalsIgnoreCase("CUBE") && i + 1 < tokens.size() && tokens.get(i + 1).kind == Kind.OPEN_PAREN) {
                int depth = 0;
                int columns = 1;
                for (int j = i + 1; j < tokens.size(); j++) {
                    Kind k = tokens.get(j).kind;
                    depth += k == Kind.OPEN_PAREN ? 1 : k == Kind.CLOSE_PAREN ? -1 : 0;
                    if (depth == 0) {
                        break;
                    }
                    if (depth == 1 && k == Kind.COMMA) {
                        columns++;
                    }
                }
                if (columns > MAX_CUBE_COLUMNS) {
                    throw new RefusedSqlException(400, "CUBE over more than " + MAX_CUBE_COLUMNS + " columns (2^" + columns
                            + " grouping sets); use ROLLUP or GROUPING SETS");
                }
            }
        }
    }

    /** One parenthesis (or bracket) level: the word before it, if any, and whether its FROM clause is under way. */
    private static final class Level {
        final String opener;
        boolean inFrom;

        Level(String opener) {
            this.opener = opener;
        }
    }

    /** Functions whose arguments take a FROM of their own. */
    private static final Set<String> FUNCTIONS_WITH_FROM = Set.of("EXTRACT", "TRIM", "SUBSTRING", "OVERLAY", "POSITION");

    /** A word as written, a quoted name without its quotes. */
    private static String name(Token t) {
        return t.kind == Kind.QUOTED ? t.text.substring(1, t.text.length() - 1).replace("\"\"", "\"") : t.text;
    }

    static boolean looksLikePath(String quoted) {
        return quoted.indexOf('.') >= 0 || quoted.indexOf('/') >= 0 || quoted.indexOf('\\') >= 0 || quoted.indexOf(':') >= 0;
    }

    /** The text up to and excluding trailing semicolons and whitespace. */
    private static int endOffset(String sql) {
        int end = sql.length();
        while (end > 0 && (Character.isWhitespace(sql.charAt(end - 1)) || sql.charAt(end - 1) == ';')) {
            end--;
        }
        return end;
    }

    private static List<Token> tokens(String sql) throws RefusedSqlException {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                i++;
            } else if (c < 0x20 || c == 0x7f) {
                // Java, PostgreSQL, DuckDB and pgjdbc each take other control characters for space or not
                throw new RefusedSqlException(400, "control character U+" + String.format("%04X", (int) c) + " outside a string");
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                // PostgreSQL, DuckDB and pgjdbc all end a line comment at a carriage return as at a line feed
                while (i < n && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = skipBlockComment(sql, i);
            } else if (c == '\'') {
                int start = i;
                i = skipQuoted(sql, i, '\'');
                out.add(new Token(Kind.STRING, sql.substring(start, i)));
            } else if ((c == 'U' || c == 'u') && sql.startsWith("&\"", i + 1) && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
                // U&"pg\005fread_file" names pg_read_file: a lexer that does not decode it would not know the name
                throw new RefusedSqlException(400, "Unicode-escaped names (U&\"...\") are not supported; write the name as it is");
            } else if (c == '"') {
                int start = i;
                i = skipQuoted(sql, i, '"');
                out.add(new Token(Kind.QUOTED, sql.substring(start, i)));
            } else if (c == '$') {
                // Which characters may form a dollar quote's tag differs between PostgreSQL, DuckDB and pgjdbc: the
                // lexer would have to guess where such a string ends, so it takes none.
                throw new RefusedSqlException(400, "dollar-quoted strings and $ parameters are not supported; use '...' strings");
            } else if (stringPrefix(sql, i) > 0) {
                // E'..', N'..', B'..', X'..', U&'..': one string token, prefix and all; in E'..' a backslash escapes
                int start = i;
                boolean escapes = Character.toUpperCase(c) == 'E';
                i = escapes ? skipEscapedString(sql, i + 1) : skipQuoted(sql, i + stringPrefix(sql, i), '\'');
                out.add(new Token(Kind.STRING, sql.substring(start, i)));
            } else if (Character.isLetter(c) || c == '_' || c >= 0x80) {
                // as in PostgreSQL and DuckDB, any non-ASCII character is part of a name (U+2028 is no space there)
                int start = i;
                while (i < n && (isWordChar(sql.charAt(i)) || sql.charAt(i) >= 0x80)) {
                    i++;
                }
                out.add(new Token(Kind.WORD, sql.substring(start, i)));
            } else if (c == ';') {
                out.add(new Token(Kind.SEMICOLON, ";"));
                i++;
            } else if (c == '(') {
                out.add(new Token(Kind.OPEN_PAREN, "("));
                i++;
            } else if (c == ')') {
                out.add(new Token(Kind.CLOSE_PAREN, ")"));
                i++;
            } else if (c == '[' || c == '{') {
                out.add(new Token(Kind.OPEN_PAREN, String.valueOf(c)));
                i++;
            } else if (c == ']' || c == '}') {
                out.add(new Token(Kind.CLOSE_PAREN, String.valueOf(c)));
                i++;
            } else if (c == ',') {
                out.add(new Token(Kind.COMMA, ","));
                i++;
            } else {
                out.add(new Token(Kind.OTHER, String.valueOf(c)));
                i++;
            }
        }
        return out;
    }

    /**
     * Index after a quoted run; a doubled quote is an escaped quote and a backslash is content (standard SQL; an
     * {@code E''} string is {@link #skipEscapedString}'s). Where a database reads the text otherwise all the same
     * (PostgreSQL with {@code standard_conforming_strings} off), {@link ParserCheck} still counts its statements.
     */
    private static int skipQuoted(String sql, int open, char quote) throws RefusedSqlException {
        int i = open + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new RefusedSqlException(400, "unterminated quoted text");
    }

    /** Index after a block comment starting at i; comments nest, as in PostgreSQL and DuckDB. */
    private static int skipBlockComment(String sql, int i) throws RefusedSqlException {
        int depth = 0;
        int n = sql.length();
        while (i < n) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        throw new RefusedSqlException(400, "unterminated comment");
    }

    /** Index after an {@code E'...'} string whose quote is at {@code open}: a backslash escapes the next character. */
    private static int skipEscapedString(String sql, int open) throws RefusedSqlException {
        int i = open + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '\'') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    i += 2;
                    continue;
                }
                return i + 1;
            } else {
                i++;
            }
        }
        throw new RefusedSqlException(400, "unterminated quoted text");
    }

    /** The length of a string constant's prefix at i ({@code E'}, {@code U&'}, ...), up to its quote; 0 if none. */
    private static int stringPrefix(String sql, int i) {
        int n = sql.length();
        char c = Character.toUpperCase(sql.charAt(i));
        if ((c == 'E' || c == 'N' || c == 'B' || c == 'X') && i + 1 < n && sql.charAt(i + 1) == '\''
                && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
            return 1;
        }
        if (c == 'U' && i + 2 < n && sql.charAt(i + 1) == '&' && sql.charAt(i + 2) == '\'' && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
            return 2;
        }
        return 0;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

}
