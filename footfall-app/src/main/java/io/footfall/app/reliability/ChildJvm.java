package io.footfall.app.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A footfall command in a child JVM with this JVM's class path, so the reliability suites can SIGTERM or
 * SIGKILL it as an operator or a crash would. It counts as started when it prints its ready line; stdout
 * lines are kept (the roles print a handful), stderr is appended to a log file.
 */
final class ChildJvm {

    private final String name;
    private final Process process;
    private final Path log;
    private final List<String> lines;

    private ChildJvm(String name, Process process, Path log, List<String> lines) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.lines = lines;
    }

    /**
     * @param heap      the child's -Xmx, e.g. "256m"
     * @param command   main class and its arguments
     * @param readyText a child is started once a stdout line contains it
     * @throws IllegalStateException when the child exits or stays silent for {@code timeout}
     */
    static ChildJvm start(String name, String heap, List<String> command, Path log, String readyText, Duration timeout)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path")));
        // A logging configuration given to this JVM (to look into a failure) applies to the child as well.
        String logging = System.getProperty("logback.configurationFile");
        if (logging != null) {
            full.add("-Dlogback.configurationFile=" + logging);
        }
        full.addAll(command);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    if (line.contains(readyText)) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the process went away; the caller sees that through the ready latch or waitFor
            }
        }, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.await(200, TimeUnit.MILLISECONDS)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(name + " did not become ready (exit " + exitOrAlive(process) + "); see " + log
                        + "; its last lines:\n" + tail(log, 40));
            }
        }
        return new ChildJvm(name, process, log, lines);
    }

    /** The last {@code count} lines of a log, so a failure in CI explains itself without the file. */
    static String tail(Path log, int count) {
        try {
            List<String> all = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - count), all.size()));
        } catch (IOException e) {
            return "(" + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    private static String exitOrAlive(Process process) {
        return process.isAlive() ? "none" : Integer.toString(process.exitValue());
    }

    /** The stdout lines so far. */
    List<String> lines() {
        return lines;
    }

    boolean alive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** SIGTERM, then wait for the orderly shutdown; the exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException(name + " did not stop within " + timeout.toSeconds() + " s of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush — a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
