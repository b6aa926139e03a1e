package io.footfall.app.cli;

import io.footfall.app.standalone.StartStopped;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A long-running command's start and its stop on SIGTERM or Ctrl-C. The shutdown hook is installed before the
 * first component starts, so a signal that comes while the command is still starting (a broker recovering its
 * log, an enricher restoring its state, a loader migrating) lets the step under way finish, starts nothing more
 * and closes what had started, in reverse order, instead of the JVM exiting under a half-started broker and
 * warehouse. A step that does not end by itself soon (a wait for another process's lock) is interrupted, and the
 * process exits regardless once that too has had its time. Once started, the command runs until the signal and then
 * closes everything the same way.
 */
final class Lifecycle {

    /** The start-up of a command: starts its components in order, handing each to {@link #push}. */
    @FunctionalInterface
    interface Steps {
        void start(Lifecycle life) throws Exception;
    }

    private enum State { STARTING, RUNNING, FAILED }

    /** How long a stop during start-up waits for the step under way before it interrupts it. */
    static final long STEP_GRACE_S = 10;
    /** How long it then waits for the interrupted step before the process exits regardless. */
    static final long INTERRUPTED_GRACE_S = 20;

    private final String stoppingLine;
    private final String stoppedLine;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final CountDownLatch startEnded = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile State state = State.STARTING;
    private volatile boolean stopping;
    private volatile Thread starting;
    /** The start has seen the stop (a step looked) or has ended: what remains is closing, which is waited for. */
    private volatile boolean givenUp;

    private Lifecycle(String stoppingLine, String stoppedLine) {
        this.stoppingLine = stoppingLine;
        this.stoppedLine = stoppedLine;
    }

    /**
     * Runs {@code steps}, then waits for SIGTERM or Ctrl-C and closes what they started; a failed start closes what
     * it had started and rethrows. {@code what} names the command in the lines printed on stop
     * ("footfall: stopping the collector", "footfall: collector stopped").
     */
    static int run(String what, Steps steps) throws Exception {
        return run("footfall: stopping the " + what, "footfall: " + what + " stopped", steps);
    }

    /** As {@link #run(String, Steps)}, with the two lines printed on stop given in full. */
    static int run(String stoppingLine, String stoppedLine, Steps steps) throws Exception {
        Lifecycle life = new Lifecycle(stoppingLine, stoppedLine);
        life.starting = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(life::stop, "footfall-shutdown"));
        try {
            steps.start(life);
            life.state = State.RUNNING;
        } catch (Exception | Error e) {
            life.givenUp = true;
            life.state = State.FAILED;
            if (life.stopping) {
                Thread.interrupted(); // the hook's interrupt, if it came to that: what started is closed all the same
            }
            life.closeAll();
            if (!life.stopping) {
                throw e;
            }
            // Stopped by a signal: whatever the step threw (Kafka's classes refuse to load once the JVM shuts down),
            // the reason is the signal. Said here, before the hook may let the JVM halt, not by main, which may be
            // too late.
            System.err.println("footfall: cannot start: " + new StartStopped().getMessage());
            return 143;
        } finally {
            life.startEnded.countDown();
        }
        life.stopped.await();
        return 0;
    }

    /** Hands a started component over: closed on stop, or when a later step fails, before those started earlier. */
    synchronized void push(AutoCloseable component) {
        started.push(component);
    }

    /** Whether SIGTERM or Ctrl-C came: steps that wait a long time poll it and give up. */
    boolean stopping() {
        if (stopping) {
            givenUp = true;
        }
        return stopping;
    }

    /**
     * The start's last words: the ready line, unless SIGTERM or Ctrl-C came during the last step (then
     * {@link StartStopped}, as between steps, rather than "ready" followed by the stop).
     */
    void ready(String line) {
        check();
        System.out.println(line);
    }

    /** Between start-up steps: throws {@link StartStopped} once SIGTERM or Ctrl-C came. */
    void check() {
        StartStopped.check(this::stopping);
    }

    /** The shutdown hook: waits for a start under way to end (it gives up at its next step), then closes. */
    private void stop() {
        stopping = true;
        if (state == State.STARTING) {
            System.out.println("footfall: stopping: start-up ends after the step under way");
            if (!awaitStartEnded()) {
                // A step that waits without end (another process's lock, say) must not keep the process alive.
                System.err.println("footfall: the start-up step under way did not end within "
                        + (STEP_GRACE_S + INTERRUPTED_GRACE_S) + " s of the stop; exiting without closing what had started");
                stopped.countDown();
                return;
            }
        }
        if (state != State.FAILED) {
            // A failed start has closed what it started and said why.
            System.out.println(stoppingLine);
            closeAll();
            System.out.println(stoppedLine);
        }
        stopped.countDown();
    }

    /**
     * Waits for the start to give up after its step and close what it started. A step that has not looked at the stop
     * within {@value #STEP_GRACE_S} s is interrupted (waits such as the migration lock's end on it) and given {@value
     * #INTERRUPTED_GRACE_S} s more; once the start has seen the stop, its closing is waited for as long as it takes
     * (each component's close has its own bound), never cut off.
     *
     * @return whether the start ended
     */
    private boolean awaitStartEnded() {
        long interruptAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_GRACE_S);
        long giveUpAt = interruptAt + TimeUnit.SECONDS.toNanos(INTERRUPTED_GRACE_S);
        boolean interrupted = false;
        try {
            while (!startEnded.await(100, TimeUnit.MILLISECONDS)) {
                if (givenUp) {
                    continue;
                }
                long now = System.nanoTime();
                if (!interrupted && now >= interruptAt) {
                    starting.interrupt();
                    interrupted = true;
                }
                if (now >= giveUpAt) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private synchronized void closeAll() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                System.err.println("footfall: error while stopping: " + e.getMessage());
            }
        }
    }
}
