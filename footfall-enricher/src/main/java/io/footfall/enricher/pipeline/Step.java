package io.footfall.enricher.pipeline;

/** The enrichment steps, in the order an event passes them; the unit of {@link StepTimings}. */
public enum Step {
    VALIDATE, DEDUP, URL, REFERRER, USER_AGENT, GEO, VISITOR, SESSION, BUILD
}
