package io.footfall.query.pipeline;

/**
 * Where the dashboard's pipeline panel gets its numbers. The app wiring implements it from the metrics
 * registry and the stream's offsets; the query server only formats the answer.
 */
@FunctionalInterface
public interface PipelineProbe {

    /** A fresh snapshot; called off any event loop, may block briefly on the broker. */
    PipelineStatus status();
}
