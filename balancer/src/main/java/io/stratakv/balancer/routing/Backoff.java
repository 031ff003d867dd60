package io.stratakv.balancer.routing;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter": the wait before retry {@code n} (0-based) is uniform in
 * {@code [c/2, c]} with {@code c = min(max, base * 2^n)}, so balancers that failed together do not
 * retry together, and no wait is ever close to zero (which would hammer a node that just refused).
 */
public final class Backoff {

    private final Duration base;
    private final Duration max;
    private final RandomGenerator random;

    public Backoff(Duration base, Duration max, RandomGenerator random) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff base " + base + " must be positive and at most max " + max);
        }
        this.base = base;
        this.max = max;
        this.random = random;
    }

    public Duration delay(int retry) {
        long cap = base.toNanos() << Math.min(Math.max(retry, 0), 30);
        if (cap <= 0 || cap > max.toNanos()) {
            cap = max.toNanos();
        }
        long half = cap / 2;
        return Duration.ofNanos(half + (long) (random.nextDouble() * (cap - half + 1)));
    }
}
