package io.footfall.enricher.pipeline;

import java.util.HashMap;
import java.util.Map;

/** {@link PipelineState} in plain maps, for {@code replay} and tests. Bounded by the events it is given. */
public final class InMemoryState implements PipelineState {

    private final MapStore sessions = new MapStore();
    private final MapStore salts = new MapStore();

    @Override
    public Store sessions() {
        return sessions;
    }

    @Override
    public Store salts() {
        return salts;
    }

    private static final class MapStore implements Store {
        private final Map<String, byte[]> map = new HashMap<>();

        @Override
        public byte[] get(String key) {
            return map.get(key);
        }

        @Override
        public void put(String key, byte[] value) {
            map.put(key, value);
        }

        @Override
        public void delete(String key) {
            map.remove(key);
        }
    }
}
