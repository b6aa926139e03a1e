package io.footfall.core.config;

/** A bad configuration value; the message names the key and says what is wrong, in one line. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
