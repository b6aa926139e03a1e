package io.footfall.core.event;

/** An event that breaks the contract; {@link #reason()} is short and stable, the message says more. */
public final class InvalidEventException extends Exception {

    private final String reason;

    public InvalidEventException(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
