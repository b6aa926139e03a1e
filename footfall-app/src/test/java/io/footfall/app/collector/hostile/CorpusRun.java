package io.footfall.app.collector.hostile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs corpus cases against a collector's port and judges each; cases of a category run a few at a time
 * (the slow-client cases each take a read timeout), and after each category the collector must still
 * answer its health check.
 */
public final class CorpusRun {

    /** One judged case, with the marker its requests carried and the raw records it should have produced. */
    public record Result(HostileCase hostileCase, String marker, List<Observed> seen, Expectation.Verdict verdict) {
        public boolean passed() {
            return verdict.passed();
        }

        @Override
        public String toString() {
            return hostileCase.id() + " (line " + hostileCase.line() + ", marker " + marker + "): "
                    + (passed() ? "ok" : verdict.reason());
        }
    }

    /** A category's results, and whether the collector answered its health check afterwards. */
    public record CategoryResult(Category category, List<Result> results, boolean healthyAfter) {
        public long passed() {
            return results.stream().filter(Result::passed).count();
        }

        public List<Result> failures() {
            return results.stream().filter(r -> !r.passed()).toList();
        }
    }

    private static final int PARALLEL = 4;

    private final int port;
    private final String run;

    /**
     * @param run prefix of every marker, so that two runs against one topic can be told apart
     */
    public CorpusRun(int port, String run) {
        this.port = port;
        this.run = run;
    }

    public CategoryResult run(Category category) {
        List<HostileCase> cases = HostileCase.load(category);
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (HostileCase c : cases) {
                futures.add(pool.submit(() -> one(c)));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> f : futures) {
                results.add(f.get());
            }
            return new CategoryResult(category, results, healthy());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    Result one(HostileCase c) {
        String marker = c.marker(run);
        List<Observed> seen = Exchange.run(port, c.script(marker), c.expectation().responses().size());
        return new Result(c, marker, seen, c.expectation().judge(seen));
    }

    /** {@code GET /health/live} and {@code /health/ready} over fresh connections, both 200. */
    public boolean healthy() {
        for (String path : List.of("/health/live", "/health/ready")) {
            Script script = Script.expand("GET " + path + " HTTP/1.1\\r\\nHost: collector.test\\r\\n\\r\\n", "");
            List<Observed> seen = Exchange.run(port, script, 1);
            if (seen.isEmpty() || seen.get(0).status() != 200) {
                return false;
            }
        }
        return true;
    }

    /** Per-category lines for stdout: cases, passed, healthy afterwards. */
    public static String summary(List<CategoryResult> results) {
        StringBuilder s = new StringBuilder(String.format("%-28s %6s %7s  %s%n", "category", "cases", "passed", "healthy after"));
        int cases = 0;
        long passed = 0;
        for (CategoryResult r : results) {
            s.append(String.format("%-28s %6d %7d  %s%n", r.category().label(), r.results().size(), r.passed(),
                    r.healthyAfter() ? "yes" : "NO"));
            cases += r.results().size();
            passed += r.passed();
        }
        s.append(String.format("%-28s %6d %7d%n", "total", cases, passed));
        for (CategoryResult r : results) {
            for (Result f : r.failures()) {
                s.append("FAILED ").append(f).append('\n');
            }
        }
        return s.toString();
    }

    /** Every case with what it got, for reading after a run ({@code target/hostile-corpus.txt}). */
    public static void writeReport(List<CategoryResult> results, java.nio.file.Path file) {
        StringBuilder s = new StringBuilder();
        for (CategoryResult category : results) {
            for (Result r : category.results()) {
                s.append(r.passed() ? "ok   " : "FAIL ").append(r.hostileCase().id()).append(" | expected ")
                        .append(r.hostileCase().expectation()).append(" | got ")
                        .append(String.join(" ; ", r.seen().stream().map(Observed::toString).toList()))
                        .append(r.passed() ? "" : " | " + r.verdict().reason()).append('\n');
            }
        }
        try {
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
            java.nio.file.Files.writeString(file, s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Compares the raw topic with the verdicts: each case's marker must be on exactly as many records as
     * the case had accepted (0 for every rejected case).
     *
     * @param rawRecords every record value of {@code footfall.raw}, as text
     * @return marker → records found, for each case whose count differs
     */
    public static Map<String, Integer> rawMismatches(List<CategoryResult> results, List<String> rawRecords) {
        Map<String, Integer> wrong = new LinkedHashMap<>();
        for (CategoryResult category : results) {
            for (Result r : category.results()) {
                int found = 0;
                for (String record : rawRecords) {
                    if (record.contains(r.marker())) {
                        found++;
                    }
                }
                if (found != r.verdict().rawRecords()) {
                    wrong.put(r.hostileCase().id() + " " + r.marker() + " expected " + r.verdict().rawRecords(), found);
                }
            }
        }
        return wrong;
    }
}
