package io.footfall.app.standalone;

import java.util.function.BooleanSupplier;

/** Start-up given up because SIGTERM or Ctrl-C came while it ran; what had started is closed. */
public final class StartStopped extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public StartStopped() {
        super("stopped (SIGTERM or Ctrl-C) before it was ready; what had started is stopped");
    }

    /** Between start-up steps: throws when {@code stop} says a stop was asked for. */
    public static void check(BooleanSupplier stop) {
        if (stop.getAsBoolean()) {
            throw new StartStopped();
        }
    }
}
