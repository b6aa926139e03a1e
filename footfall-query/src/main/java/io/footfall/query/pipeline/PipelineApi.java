package io.footfall.query.pipeline;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import io.footfall.query.http.Exchanges;
import java.io.IOException;

/** {@code GET /api/pipeline}: the probe's snapshot as JSON. */
public final class PipelineApi {

    private final PipelineProbe probe;

    public PipelineApi(PipelineProbe probe) {
        this.probe = probe;
    }

    public void handle(HttpExchange exchange) throws IOException {
        PipelineStatus s;
        try {
            s = probe.status();
        } catch (RuntimeException e) {
            Exchanges.error(exchange, 503, "pipeline_unavailable", "the pipeline status cannot be read right now");
            return;
        }
        Exchanges.json(exchange, 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("stages");
            for (PipelineStatus.Stage stage : s.stages()) {
                g.writeStartObject();
                g.writeStringField("name", stage.name());
                number(g, "events_per_s", stage.eventsPerSecond());
                number(g, "lag", stage.lag() == null ? null : stage.lag().doubleValue());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("freshness_ms");
            number(g, "mean", s.freshnessMeanMs());
            number(g, "max", s.freshnessMaxMs());
            g.writeEndObject();
            number(g, "bad_total", s.badTotal() == null ? null : s.badTotal().doubleValue());
            g.writeArrayFieldStart("bad");
            for (PipelineStatus.BadReason b : s.bad()) {
                g.writeStartObject();
                g.writeStringField("stage", b.stage());
                g.writeStringField("reason", b.reason());
                g.writeNumberField("count", b.count());
                g.writeStringField("sample", b.sample());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void number(JsonGenerator g, String field, Double value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            g.writeNumberField(field, value.longValue());
        } else {
            g.writeNumberField(field, Math.round(value * 10) / 10.0);
        }
    }
}
