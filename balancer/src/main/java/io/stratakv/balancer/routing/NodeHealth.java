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
 * Health and load of each storage node as this balancer sees it.
 *
 * <p>Three independent marks, any of which makes reads avoid the node ({@link #avoid}) while
 * another replica can serve them (a leader is still tried for what only it can serve):
 * <ul>
 *   <li><b>suspect</b> (passive): consecutive failures of its own requests, below;</li>
 *   <li><b>down</b> (active): its admin {@code /healthcheck} failed {@code unhealthyAfter} polls in a
 *       row, set by {@code ActiveHealthPoller}; cleared by {@code healthyAfter} good polls;</li>
 *   <li><b>slow</b> (passive latency outlier): its latency EWMA is above {@code factor} times the
 *       median of all nodes' and above a floor; recomputed by the poller each round.</li>
 * </ul>
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
        /** Latency EWMA in nanoseconds; 0 until the first sample. Races between writers only lose a sample. */
        volatile double latencyEwmaNanos;
        volatile boolean down;
        volatile boolean slow;
        final AtomicInteger pollStreak = new AtomicInteger(); // >0: good polls in a row, <0: bad polls in a row
    }

    /** Weight of the newest latency sample in the EWMA. */
    static final double EWMA_ALPHA = 0.2;

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

    /** Records the latency of one answered call to the node. */
    public void latency(String nodeId, long nanos) {
        State s = state(nodeId);
        double old = s.latencyEwmaNanos;
        s.latencyEwmaNanos = old == 0 ? nanos : old + EWMA_ALPHA * (nanos - old);
    }

    public double latencyEwmaMillis(String nodeId) {
        State s = nodes.get(nodeId);
        return s == null ? 0 : s.latencyEwmaNanos / 1e6;
    }

    /**
     * One active health poll's outcome; returns whether the node is marked down afterwards.
     * Down after {@code unhealthyAfter} failed polls in a row, up again after {@code healthyAfter} good ones.
     */
    public boolean pollResult(String nodeId, boolean healthy, int unhealthyAfter, int healthyAfter) {
        State s = state(nodeId);
        int streak = s.pollStreak.updateAndGet(v -> healthy ? Math.max(v, 0) + 1 : Math.min(v, 0) - 1);
        if (!healthy && -streak >= unhealthyAfter) {
            s.down = true;
        } else if (healthy && streak >= healthyAfter) {
            s.down = false;
        }
        return s.down;
    }

    public boolean isDown(String nodeId) {
        State s = nodes.get(nodeId);
        return s != null && s.down;
    }

    public boolean isSlow(String nodeId) {
        State s = nodes.get(nodeId);
        return s != null && s.slow;
    }

    /**
     * Marks latency outliers among {@code nodeIds}: EWMA above {@code factor} x the median EWMA of
     * those with samples and above {@code floorNanos}. Needs at least 3 nodes with samples (with fewer
     * a median says nothing about who is the odd one out).
     */
    public void markOutliers(java.util.Collection<String> nodeIds, double factor, long floorNanos) {
        double[] samples = nodeIds.stream().map(nodes::get).filter(s -> s != null && s.latencyEwmaNanos > 0)
                .mapToDouble(s -> s.latencyEwmaNanos).sorted().toArray();
        double median = samples.length == 0 ? 0 : samples[samples.length / 2];
        for (String id : nodeIds) {
            State s = nodes.get(id);
            if (s != null) {
                s.slow = samples.length >= 3 && s.latencyEwmaNanos > floorNanos && s.latencyEwmaNanos > factor * median;
            }
        }
    }

    /** Whether reads that have another replica should avoid the node now (suspect, down or slow). */
    public boolean avoid(String nodeId) {
        return isSuspect(nodeId) || isDown(nodeId) || isSlow(nodeId);
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
