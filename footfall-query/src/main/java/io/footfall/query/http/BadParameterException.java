package io.footfall.query.http;

/** A query parameter that is missing or malformed; answered 400 with a message naming the parameter. */
public final class BadParameterException extends Exception {

    private final String parameter;

    public BadParameterException(String parameter, String message) {
        super(parameter + ": " + message, null, false, false);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
