package io.footfall.collector.http;

import io.footfall.collector.produce.EventSink;
import io.footfall.core.event.BadEvent;
import io.footfall.core.event.RawEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** An in-memory stream for pipeline tests: keeps what was published and answers with a chosen outcome. */
final class RecordingSink implements EventSink {

    final List<RawEvent> events = new ArrayList<>();
    final List<BadEvent> bad = new ArrayList<>();
    Outcome outcome = Outcome.ACKNOWLEDGED;
    boolean ready = true;
    /** When set, callbacks are held here instead of answered at once (a slow broker). */
    List<Runnable> held;
    /** When set, publish throws it (a record that cannot be encoded). */
    RuntimeException failure;

    @Override
    public void publish(List<RawEvent> published, List<BadEvent> rejected, Consumer<Outcome> done) {
        if (failure != null) {
            throw failure;
        }
        Outcome now = outcome;
        if (now == Outcome.ACKNOWLEDGED) {
            events.addAll(published);
            bad.addAll(rejected);
        }
        if (held != null) {
            held.add(() -> done.accept(now));
        } else {
            done.accept(now);
        }
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public long inflightBytes() {
        return 0;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
