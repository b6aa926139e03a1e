package io.footfall.app.testing;

import io.footfall.collector.produce.EventSink;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.RawEvent;
import java.util.List;
import java.util.function.Consumer;

/**
 * Test-only fault: a collector sink that says ACKNOWLEDGED at once, whatever the stream does with the
 * records — what answering 202 before the broker's acknowledgement does. Outage harnesses run against it
 * must report the events it loses.
 */
public record AcknowledgesEarlySink(EventSink delegate) implements EventSink {

    @Override
    public void publish(List<RawEvent> events, List<BadEvent> bad, Consumer<Outcome> done) {
        delegate.publish(events, bad, outcome -> { });
        done.accept(Outcome.ACKNOWLEDGED);
    }

    @Override
    public boolean ready() {
        return delegate.ready();
    }

    @Override
    public long inflightBytes() {
        return delegate.inflightBytes();
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
