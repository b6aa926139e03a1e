package io.footfall.collector.decode;

/** A whole request refused: HTTP status, a stable error word and a human detail for the JSON body. */
public final class RequestRejected extends Exception {

    private final int status;
    private final String error;

    public RequestRejected(int status, String error, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }
}
