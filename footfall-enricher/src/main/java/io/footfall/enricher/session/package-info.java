/**
 * Sessions: a visitor's events grouped until 30 minutes (configurable) pass without one, or the visitor
 * arrives from a different UTM campaign.
 *
 * <h2>Why one partition sees all of a visitor's events</h2>
 * The collector keys every {@code footfall.raw} record with {@link io.footfall.core.event.VisitorKey}: a hash
 * of the site's own visitor id when the event carries one, otherwise of (site, client IP, user agent) — the
 * same inputs as the cookieless visitor id, minus the daily salt. Kafka's default partitioner sends equal
 * keys to the same partition, and Kafka Streams gives each partition to exactly one task, with its own
 * slice of the session store. So one task, on one thread, sees each visitor's events in the order the
 * collectors wrote them, and the session state of a visitor is read and written by nobody else: no locks,
 * no cross-instance coordination, no shuffle (a repartition topic would cost a second write and read of
 * every event).
 *
 * <p>Across restarts and rebalances the store moves with its partition: it is restored from its changelog,
 * which the exactly-once transaction commits together with the output records and the input offsets, so a
 * restarted task resumes with exactly the state that matches the last committed output.
 *
 * <h2>Expiry</h2>
 * A session whose last event is older than the timeout cannot be continued. The session lives in the
 * visitor's record of the visitor store ({@link io.footfall.enricher.pipeline.VisitorRecord}), beside the
 * event ids of the dedup window, so the record is kept for the longer of the two (24 hours by default) and
 * a punctuator deletes it after that (a full scan of the task's store, at most every 48th of that time). The
 * horizon is the older of the wall clock and the newest receive time the task has seen, so a task catching
 * up on a backlog never drops a visitor that its next events would continue.
 *
 * <h2>Midnight</h2>
 * Cookieless visitor ids change at the salt's midnight. A session under way then goes on under the id it began
 * with: an event whose own id has no active session looks up the id its client had under the previous day's
 * salt, and continues the session held there if the event is within the timeout of it (and names no other
 * campaign); the event keeps that id and the session's state stays in that record. There is no bound on the
 * time after midnight: a session continued at 00:10 is found the same way at 00:35 and later, because its state
 * stays under yesterday's id. The lookup costs a second hash and a point read, paid only by events that would
 * open a session, while the previous day's salt lives (it is only read, never made for this); a session older
 * than that salt (two midnights) ends at the second.
 */
package io.footfall.enricher.session;
