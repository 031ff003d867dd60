package io.stratakv.balancer.health;

import com.codahale.metrics.health.HealthCheck;
import io.stratakv.balancer.core.ClusterView;
import io.stratakv.balancer.core.KeyspaceRoutes;
import io.stratakv.balancer.core.PartitionMap;

import java.util.List;

/** Healthy once the map was read in full; names keyspaces whose ranges do not cover the ring. */
public final class PartitionMapHealthCheck extends HealthCheck {

    private final PartitionMap map;

    public PartitionMapHealthCheck(PartitionMap map) {
        this.map = map;
    }

    @Override
    protected Result check() {
        if (!map.loaded()) {
            return Result.unhealthy("the partition map has not been read from ZooKeeper yet");
        }
        ClusterView v = map.view();
        List<String> gaps = v.keyspaces().values().stream().filter(k -> !k.complete())
                .map(k -> k.keyspace().name()).sorted().toList();
        return gaps.isEmpty()
                ? Result.healthy(v.keyspaces().size() + " keyspaces, generation " + v.generation())
                : Result.unhealthy("keyspaces whose partitions do not cover the hash ring: " + gaps);
    }
}
