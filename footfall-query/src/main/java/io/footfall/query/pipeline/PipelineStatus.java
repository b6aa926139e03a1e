package io.footfall.query.pipeline;

import java.util.List;

/**
 * One look at the pipeline.
 *
 * @param stages              collector, enricher, loader in flow order
 * @param freshnessMeanMs     mean time from collector receipt to warehouse commit in the recent window (on the first look,
 *                            since the process started); null when unknown
 * @param freshnessMaxMs      the largest such time in the recent window; null when unknown
 * @param badTotal            records on {@code footfall.bad} so far; null when unknown
 * @param bad                 bad records by stage and reason among the most recent ones, with a sample each
 */
public record PipelineStatus(List<Stage> stages, Double freshnessMeanMs, Double freshnessMaxMs, Long badTotal,
                             List<BadReason> bad) {

    /**
     * @param eventsPerSecond what the stage produced per second since the previous look; null when unknown
     * @param lag             records waiting for this stage; null when it has no input queue or it is unknown
     */
    public record Stage(String name, Double eventsPerSecond, Long lag) {
    }

    /** @param sample the newest such record's JSON, IP removed */
    public record BadReason(String stage, String reason, long count, String sample) {
    }
}
