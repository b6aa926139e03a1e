package io.footfall.query.tap;

import io.footfall.core.config.KafkaConfig;
import java.util.Locale;

/** The streams the tap can follow, by their wire names. */
public enum TapTopic {
    RAW(KafkaConfig.RAW_TOPIC), EVENTS(KafkaConfig.EVENTS_TOPIC), BAD(KafkaConfig.BAD_TOPIC);

    private final String topic;

    TapTopic(String topic) {
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return null when the name is none of raw, events, bad */
    public static TapTopic fromWire(String name) {
        for (TapTopic t : values()) {
            if (t.wireName().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
