/**
 * The collector's HTTP edge on Netty.
 *
 * <p>Pipeline per connection ({@link io.footfall.collector.http.CollectorInitializer}): connection timeouts
 * (idle 30 s between requests; 10 s from a request's first byte to its last, so a slow-drip client holds
 * a connection for at most that long) → HTTP codec (8 KB request line, 16 KB of headers) → a body budget
 * shared by all connections (64 MB) → aggregation up to the request limit (1 MB) → flow control, so one
 * request per connection is in progress and answers leave in order → routing and answers
 * ({@link io.footfall.collector.http.CollectorHandler}) → event intake
 * ({@link io.footfall.collector.http.Intake}).
 *
 * <p>Why the answer waits for the broker: the seed system lost events when its front ends answered
 * before the stream had them. A 202 therefore means "in {@code footfall.raw}", which costs one produce
 * round trip per request; the producer lingers 0 ms because every millisecond of linger is a millisecond
 * on every answer (5 ms → 0 ms was 3.5× the single-event rate in BENCHMARKS.md). Nothing waits on an
 * event-loop thread: the producer never blocks ({@code max.block.ms=0}), its callback hands the outcome
 * back to the connection's loop, and budgets (in-flight bytes, body bytes) turn overload into a fast 503.
 */
package io.footfall.collector.http;
