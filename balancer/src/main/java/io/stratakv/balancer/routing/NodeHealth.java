package io.stratakv.balancer.routing;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Passive health and load of each storage node as this balancer sees it, from its own requests.
 *
 * <p>A node is SUSPECT for {@code suspectFor} after {@code suspectAfter} consecutive failures
 * (connection refused, timeout, an unexpected 5xx); one success clears the count. Suspect nodes
 * are avoided by reads that have another replica; a leader is still tried, since nothing else can
 * serve its writes. {@code outstanding} is the number of requests in flight to the node, read by
 * the power-of-two-choices replica pick. {@code permits} bound requests in flight per node (and so
 * its pooled connections). Thread-safe; entries are created on first use.
 */
public final class NodeHealth {

    private final int suspectAfter;
    private final long suspectForNanos;
    private final int maxInFlight;
    private final LongSupplier nanoClock;
    private final Map<String, State> nodes = new ConcurrentHashMap<>();

    public NodeHealth(int suspectAfter, Duration suspectFor, int maxInFlight, LongSupplier nanoClock) {
        this.suspectAfter = suspectAfter;
        this.suspectForNanos = suspectFor.toNanos();
        this.maxInFlight = maxInFlight;
        this.nanoClock = nanoClock;
    }

    private final class State {
        final AtomicInteger consecutiveFailures = new AtomicInteger();
        final AtomicLong suspectUntil = new AtomicLong(Long.MIN_VALUE);
        final AtomicInteger outstanding = new AtomicInteger();
        final Semaphore permits = new Semaphore(maxInFlight);
    }

    private State state(String nodeId) {
        return nodes.computeIfAbsent(nodeId, id -> new State());
    }

    /** Takes one in-flight slot of the node, waiting up to {@code timeout}; false if none freed. */
    public boolean acquire(String nodeId, Duration timeout) throws InterruptedException {
        State s = state(nodeId);
        if (!s.permits.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
            return false;
        }
        s.outstanding.incrementAndGet();
        return true;
    }

    public void release(String nodeId) {
        State s = state(nodeId);
        s.outstanding.decrementAndGet();
        s.permits.release();
    }

    public int outstanding(String nodeId) {
        State s = nodes.get(nodeId);
        return s == null ? 0 : s.outstanding.get();
    }

    public void success(String nodeId) {
        State s = state(nodeId);
        s.consecutiveFailures.set(0);
        s.suspectUntil.set(Long.MIN_VALUE);
    }

    public void failure(String nodeId) {
        State s = state(nodeId);
        if (s.consecutiveFailures.incrementAndGet() >= suspectAfter) {
            s.suspectUntil.set(nanoClock.getAsLong() + suspectForNanos);
        }
    }

    public boolean isSuspect(String nodeId) {
        State s = nodes.get(nodeId);
        return s != null && s.suspectUntil.get() != Long.MIN_VALUE && nanoClock.getAsLong() - s.suspectUntil.get() < 0;
    }

    public int consecutiveFailures(String nodeId) {
        State s = nodes.get(nodeId);
        return s == null ? 0 : s.consecutiveFailures.get();
    }
}
