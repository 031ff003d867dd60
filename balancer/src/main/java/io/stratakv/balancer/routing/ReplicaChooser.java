package io.stratakv.balancer.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Picks the replica of a read that any replica may serve: power of two choices by least
 * outstanding requests (Mitzenmacher), among the candidates that are live, not avoided
 * ({@link NodeHealth#avoid}: suspect, down by active health, or a latency outlier) and not
 * already failed in this request; if none is left it falls back to live-or-suspect ones, so a read
 * is never refused just because every replica recently failed.
 */
public final class ReplicaChooser {

    private final NodeHealth health;
    private final RandomGenerator random;

    public ReplicaChooser(NodeHealth health, RandomGenerator random) {
        this.health = health;
        this.random = random;
    }

    public Optional<String> choose(Collection<String> replicas, Set<String> live, Set<String> failedThisRequest) {
        List<String> healthy = new ArrayList<>();
        List<String> fallback = new ArrayList<>();
        for (String r : replicas) {
            if (failedThisRequest.contains(r)) {
                continue;
            }
            if (live.contains(r) && !health.avoid(r)) {
                healthy.add(r);
            } else {
                fallback.add(r);
            }
        }
        List<String> pool = healthy.isEmpty() ? fallback : healthy;
        if (pool.isEmpty()) {
            return Optional.empty();
        }
        if (pool.size() == 1) {
            return Optional.of(pool.getFirst());
        }
        int a = random.nextInt(pool.size());
        int b = random.nextInt(pool.size() - 1);
        if (b >= a) {
            b++;
        }
        String x = pool.get(a);
        String y = pool.get(b);
        return Optional.of(health.outstanding(y) < health.outstanding(x) ? y : x);
    }
}
