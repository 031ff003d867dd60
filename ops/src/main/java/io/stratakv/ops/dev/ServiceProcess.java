package io.stratakv.ops.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** One service of the dev cluster: a child JVM whose output goes to its log file. */
final class ServiceProcess {

    private final String name;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command}; stdout and stderr are appended to {@code log}. */
    static ServiceProcess start(String name, List<String> command, Path log) throws IOException {
        Files.writeString(log, "==== strata dev: starting " + name + " at " + java.time.Instant.now() + "\n"
                        + "==== " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        return new ServiceProcess(name, p, log);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Asks the service to stop (SIGTERM, so Dropwizard stops its Managed parts); does not wait. */
    void requestStop() {
        process.destroy();
    }

    /**
     * Waits up to {@code grace} for the process to end after {@link #requestStop()}, then kills it
     * (SIGKILL). Returns its exit code and whether it had to be killed.
     */
    Stopped awaitStop(Duration grace) throws InterruptedException {
        if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            return new Stopped(process.exitValue(), false);
        }
        process.destroyForcibly();
        process.waitFor();
        return new Stopped(process.exitValue(), true);
    }

    record Stopped(int exitCode, boolean killed) {
    }

    /** The last {@code n} lines of the log, for a report of a failure. */
    String tail(int n) {
        Deque<String> last = new ArrayDeque<>();
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            lines.forEach(l -> {
                last.addLast(l);
                if (last.size() > n) {
                    last.removeFirst();
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
        return String.join("\n", last);
    }
}
