package io.footfall.enricher.useragent;

/**
 * What footfall stores about a user agent. Unknown values are null, never Yauaa's "Unknown" / "??".
 *
 * @param deviceType lower-case device class: desktop, phone, tablet, tv, console, watch, robot, … (Yauaa's
 *                   DeviceClass, lower-cased with spaces as underscores)
 */
public record UserAgentInfo(String browser, String browserVersion, String os, String osVersion, String deviceType,
                            boolean isBot) {

    public static final UserAgentInfo UNKNOWN = new UserAgentInfo(null, null, null, null, null, false);

    public UserAgentInfo asBot() {
        return isBot ? this : new UserAgentInfo(browser, browserVersion, os, osVersion, deviceType, true);
    }
}
