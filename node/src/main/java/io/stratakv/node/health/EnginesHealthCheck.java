package io.stratakv.node.health;

import com.codahale.metrics.health.HealthCheck;
import io.stratakv.node.replica.Replica;
import io.stratakv.node.replica.ReplicaManager;

import java.util.ArrayList;
import java.util.List;

/** Unhealthy if any local replica's engine has failed (a failed fsync: writes refused until reopen). */
public final class EnginesHealthCheck extends HealthCheck {

    private final ReplicaManager manager;

    public EnginesHealthCheck(ReplicaManager manager) {
        this.manager = manager;
    }

    @Override
    protected Result check() {
        List<String> failed = new ArrayList<>();
        for (Replica r : manager.replicas()) {
            if (!r.engineHealthy()) {
                failed.add(r.keyspace() + "/" + r.partitionId());
            }
        }
        return failed.isEmpty() ? Result.healthy("%d replicas", manager.replicas().size())
                : Result.unhealthy("engines failed: " + failed);
    }
}
