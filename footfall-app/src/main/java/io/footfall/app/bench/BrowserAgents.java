package io.footfall.app.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Typical browser user agents: current Chrome, Edge, Firefox and Safari builds on the common systems.
 * Versions vary the way real traffic does, so a workload has a few hundred distinct human agents.
 */
final class BrowserAgents {

    private static final String[] SYSTEMS = {
            "Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7", "X11; Linux x86_64",
            "Linux; Android 14; Pixel 8", "Linux; Android 13; SM-S911B", "Linux; Android 10; K"};
    private static final String[] IOS = {"17_4", "17_5_1", "18_0", "18_1", "16_7_8"};

    private BrowserAgents() {
    }

    static List<String> all() {
        List<String> out = new ArrayList<>();
        for (int version = 110; version <= 131; version++) {
            for (String system : SYSTEMS) {
                boolean mobile = system.contains("Android");
                out.add("Mozilla/5.0 (" + system + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + version
                        + ".0.0.0 " + (mobile ? "Mobile " : "") + "Safari/537.36");
                if (!mobile) {
                    out.add("Mozilla/5.0 (" + system + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + version
                            + ".0.0.0 Safari/537.36 Edg/" + version + ".0.0.0");
                    out.add("Mozilla/5.0 (" + system.replace("Intel Mac OS X 10_15_7", "Intel Mac OS X 10.15")
                            + "; rv:" + version + ".0) Gecko/20100101 Firefox/" + version + ".0");
                }
            }
        }
        for (String ios : IOS) {
            String v = ios.substring(0, 2) + "." + ios.substring(3, 4);
            out.add("Mozilla/5.0 (iPhone; CPU iPhone OS " + ios + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                    + "Version/" + v + " Mobile/15E148 Safari/604.1");
            out.add("Mozilla/5.0 (iPad; CPU OS " + ios + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                    + "Version/" + v + " Mobile/15E148 Safari/604.1");
        }
        return List.copyOf(out);
    }
}
