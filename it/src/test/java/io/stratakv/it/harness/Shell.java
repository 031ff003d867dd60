package io.stratakv.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short system commands (ip, iptables, kill) and fails loudly with their output. */
final class Shell {
    private static final long TIMEOUT_SECONDS = 20;

    private Shell() {
    }

    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs the command; returns its exit code and combined output, never throws on a non-zero exit. */
    static Result tryRun(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out after " + TIMEOUT_SECONDS + " s: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    static Result tryRun(String... command) {
        return tryRun(List.of(command));
    }

    /** Runs the command and throws with its output when it fails. */
    static String run(String... command) {
        Result r = tryRun(List.of(command));
        if (!r.ok()) {
            throw new IllegalStateException("`" + String.join(" ", command) + "` exited " + r.exitCode() + ": " + r.output());
        }
        return r.output();
    }

    static boolean onPath(String tool) {
        return tryRun("sh", "-c", "command -v " + tool).ok();
    }
}
