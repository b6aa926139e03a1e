package io.footfall.app.loader;

import io.footfall.app.testing.ForwardingWarehouseWriter;
import io.footfall.core.event.StoredEvent;
import io.footfall.loader.warehouse.OffsetCommit;
import io.footfall.loader.warehouse.WarehouseWriter;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Test fault injection: a writer that fails like an unreachable warehouse while {@link #down} is set. */
class FlakyWriter extends ForwardingWarehouseWriter {

    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger failedCalls = new AtomicInteger();
    final AtomicInteger largestBatch = new AtomicInteger();
    FlakyWriter(WarehouseWriter delegate) {
        super(delegate);
    }

    private void maybeFail() throws SQLException {
        if (down.get()) {
            failedCalls.incrementAndGet();
            throw new SQLTransientConnectionException("connection refused (injected)");
        }
    }

    @Override
    public Map<Integer, Long> storedOffsets(String topic) throws SQLException {
        maybeFail();
        return delegate.storedOffsets(topic);
    }

    @Override
    public long write(List<StoredEvent> events, String topic, List<OffsetCommit> offsets) throws SQLException {
        largestBatch.accumulateAndGet(events.size(), Math::max);
        maybeFail();
        return delegate.write(events, topic, offsets);
    }

}
