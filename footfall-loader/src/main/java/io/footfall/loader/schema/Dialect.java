package io.footfall.loader.schema;

/**
 * The differences between the warehouses' SQL, kept in one place so migrations and writers share one text.
 */
public enum Dialect {
    DUCKDB("VARCHAR", "JSON"),
    POSTGRES("TEXT", "JSONB");

    private final String text;
    private final String json;

    Dialect(String text, String json) {
        this.text = text;
        this.json = json;
    }

    /** Replaces the placeholders {@code ${text}} and {@code ${json}} in a migration. */
    public String render(String sql) {
        return sql.replace("${text}", text).replace("${json}", json);
    }

    /** Moves the staged rows into {@code table}, skipping event ids it holds already. */
    public String insertNewRows(String table, String stage) {
        return this == DUCKDB
                ? "INSERT OR IGNORE INTO " + table + " SELECT * FROM " + stage
                : "INSERT INTO " + table + " SELECT * FROM " + stage + " ON CONFLICT (event_id) DO NOTHING";
    }

    public String wireName() {
        return this == DUCKDB ? "duckdb" : "postgres";
    }
}
