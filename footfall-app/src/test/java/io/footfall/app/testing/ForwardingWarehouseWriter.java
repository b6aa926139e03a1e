package io.footfall.app.testing;

import io.footfall.core.event.StoredEvent;
import io.footfall.loader.schema.Dialect;
import io.footfall.loader.warehouse.OffsetCommit;
import io.footfall.loader.warehouse.WarehouseWriter;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A writer that forwards everything; fault-injecting test writers override only what they change. */
public abstract class ForwardingWarehouseWriter implements WarehouseWriter {

    protected final WarehouseWriter delegate;

    protected ForwardingWarehouseWriter(WarehouseWriter delegate) {
        this.delegate = delegate;
    }

    @Override
    public long write(List<StoredEvent> events, String topic, List<OffsetCommit> offsets) throws SQLException {
        return delegate.write(events, topic, offsets);
    }

    @Override
    public Dialect sqlDialect() {
        return delegate.sqlDialect();
    }

    @Override
    public void migrate() throws SQLException {
        delegate.migrate();
    }

    @Override
    public Map<Integer, Long> storedOffsets(String topic) throws SQLException {
        return delegate.storedOffsets(topic);
    }

    @Override
    public boolean tableExists(String table) throws SQLException {
        return delegate.tableExists(table);
    }

    @Override
    public void createTable(String table) throws SQLException {
        delegate.createTable(table);
    }

    @Override
    public long append(String table, List<StoredEvent> events) throws SQLException {
        return delegate.append(table, events);
    }

    @Override
    public void promote(String table) throws SQLException {
        delegate.promote(table);
    }

    @Override
    public long deleteSite(String site, Instant from, Instant to) throws SQLException {
        return delegate.deleteSite(site, from, to);
    }

    @Override
    public List<io.footfall.loader.schema.Deletions.Range> deletions() throws SQLException {
        return delegate.deletions();
    }

    @Override
    public long expire(Instant before) throws SQLException {
        return delegate.expire(before);
    }

    @Override
    public Instant expiryStep(Instant before, long maxEvents) throws SQLException {
        return delegate.expiryStep(before, maxEvents);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
