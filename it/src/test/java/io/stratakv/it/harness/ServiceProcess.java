package io.stratakv.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM of a cluster (a ZooKeeper server, controller, node or balancer), started in its
 * host's network namespace when the cluster has one. Its stdout and stderr go, appended across
 * restarts, to {@link #log()}.
 *
 * <p>Signals go to the JVM itself: {@code ip netns exec} execs the command in place, so the pid
 * of the started process is the JVM's. Thread safety: methods are synchronized; a test thread and
 * a fault thread may call them concurrently.
 */
public final class ServiceProcess {
    private static final long STOP_GRACE_SECONDS = 15;

    public enum Kind { ZOOKEEPER, CONTROLLER, NODE, BALANCER }

    private final String host;
    private final Kind kind;
    private final Optional<String> namespace;
    private final List<String> command;
    private final Path log;
    private Process process;
    private boolean paused;

    ServiceProcess(String host, Kind kind, Optional<String> namespace, List<String> command, Path log) {
        this.host = host;
        this.kind = kind;
        this.namespace = namespace;
        this.command = List.copyOf(command);
        this.log = log;
    }

    public String host() {
        return host;
    }

    public Kind kind() {
        return kind;
    }

    public Path log() {
        return log;
    }

    public synchronized void start() {
        if (isAlive()) throw new IllegalStateException(host + " is already running (pid " + process.pid() + ")");
        List<String> cmd = new ArrayList<>();
        namespace.ifPresent(ns -> cmd.addAll(List.of("ip", "netns", "exec", ns)));
        cmd.addAll(command);
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "\n==== " + Instant.now() + " start: " + String.join(" ", cmd) + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            process.getOutputStream().close();
            paused = false;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + host + ": " + e, e);
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        if (process == null) throw new IllegalStateException(host + " never started");
        return process.pid();
    }

    /** SIGKILL, and waits until the process is gone. */
    public synchronized void kill() {
        if (!isAlive()) return;
        process.destroyForcibly();
        waitGone(10);
        paused = false;
    }

    /** SIGTERM (Dropwizard stops its managed objects), then SIGKILL after a grace period. */
    public synchronized void stop() {
        if (!isAlive()) return;
        if (paused) resume();
        process.destroy();
        if (!waitGone(STOP_GRACE_SECONDS)) {
            process.destroyForcibly();
            waitGone(10);
        }
    }

    /** SIGSTOP: the process keeps its sockets but does nothing, like a long GC pause or a frozen VM. */
    public synchronized void pause() {
        if (!isAlive()) throw new IllegalStateException(host + " is not running");
        Shell.run("kill", "-STOP", Long.toString(process.pid()));
        paused = true;
    }

    /** SIGCONT. */
    public synchronized void resume() {
        if (!isAlive()) return;
        Shell.run("kill", "-CONT", Long.toString(process.pid()));
        paused = false;
    }

    public synchronized boolean isPaused() {
        return paused;
    }

    private boolean waitGone(long seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return host + " (" + kind + (process != null ? ", pid " + process.pid() : "") + ", log " + log + ")";
    }
}
