package io.stratakv.it.check;

import io.stratakv.it.history.History;
import io.stratakv.it.history.HistoryFile;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Checks a saved history again: {@code CheckHistory FILE.jsonl [maxStepsPerKey] [timeoutSeconds]}.
 * Runs the linearizability check, and the lost-write check against the final reads the history
 * ends with ({@link LostWriteChecker#finalReads}). Prints both verdicts; exits 0 when both are
 * valid, 1 when either is invalid, 2 when neither is invalid but one is unknown.
 */
public final class CheckHistory {
    private CheckHistory() {}

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: CheckHistory FILE.jsonl [maxStepsPerKey] [timeoutSeconds]");
            System.exit(64);
        }
        long maxSteps = args.length > 1 ? Long.parseLong(args[1]) : LinearizabilityChecker.DEFAULT_MAX_STEPS_PER_KEY;
        Duration timeout = args.length > 2 ? Duration.ofSeconds(Long.parseLong(args[2]))
                : LinearizabilityChecker.DEFAULT_TIMEOUT;
        Report report = check(Path.of(args[0]), new LinearizabilityChecker(maxSteps, timeout));
        System.out.println(report);
        System.exit(report.exitCode());
    }

    /** Both verdicts on one saved history. */
    public record Report(Path file, int events, LinearizabilityResult linearizability, LostWriteChecker.Result lostWrites) {
        public int exitCode() {
            if (linearizability.verdict() == Verdict.INVALID || lostWrites.verdict() == Verdict.INVALID) return 1;
            if (linearizability.verdict() == Verdict.UNKNOWN || lostWrites.verdict() == Verdict.UNKNOWN) return 2;
            return 0;
        }

        @Override
        public String toString() {
            return file + ": " + events + " events\nlinearizability: " + linearizability + "\nlost writes: " + lostWrites;
        }
    }

    public static Report check(Path file, LinearizabilityChecker checker) {
        History h = HistoryFile.read(file);
        return new Report(file, h.size(), checker.check(h),
                new LostWriteChecker().check(h, LostWriteChecker.finalReads(h)));
    }
}
