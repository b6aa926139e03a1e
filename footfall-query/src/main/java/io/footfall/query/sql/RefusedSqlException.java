package io.footfall.query.sql;

/** A statement the SQL API will not run; {@code status} is 400 (not one SELECT) or 403 (forbidden operation). */
public final class RefusedSqlException extends Exception {

    private final int status;

    RefusedSqlException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
