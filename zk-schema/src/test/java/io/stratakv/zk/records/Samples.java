package io.stratakv.zk.records;

import io.stratakv.zk.hash.HashRange;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One filled-in example of every record; the README's examples are these. */
final class Samples {
    static final Instant T = Instant.parse("2025-01-31T12:00:00Z");

    private Samples() {
    }

    static ClusterRecord cluster() {
        return ClusterRecord.of("prod", "6f1c2b9e-3a8d-4c57-9a8e-0d2f4b1c7e55", T);
    }

    static ControllerEpochRecord controllerEpoch() {
        return ControllerEpochRecord.of(7, "ctl-a", T);
    }

    static NodeRegistration node() {
        return NodeRegistration.active("n1", "10.0.0.11", 7400, 7401, 7402, Optional.of("rack-a"),
                new NodeCapacity(500L << 30, NodeCapacity.DEFAULT_WEIGHT), T);
    }

    static NodeLive live() {
        return NodeLive.of("n1", 3, T, "0.1.0");
    }

    static KeyspaceRecord keyspace() {
        return KeyspaceRecord.creating("default", 4, 3, WriteConsistency.QUORUM, ReadConsistency.STRONG, false,
                Map.of("maxValueBytes", "1048576"), T).withState(KeyspaceState.ACTIVE);
    }

    static PartitionRecord partition() {
        return PartitionRecord.initial("default", 0, HashRange.partitionsOf(4).get(0), List.of("n1", "n2", "n3"), 7)
                .electing(7).online("n1", 7);
    }

    static PartitionRecord partitionWithEverything() {
        return new PartitionRecord(ZkRecord.SCHEMA_V1, "default", 1, HashRange.partitionsOf(4).get(1),
                List.of("n2", "n3", "n1"), List.of("n4"), Optional.of("n2"), 12, PartitionState.SPLITTING, 8,
                Optional.of(new Reassignment(List.of("n2", "n3", "n4"), T)),
                Optional.of(new SplitPlan(4, 5, T)));
    }

    static List<ZkRecord> all() {
        return List.of(cluster(), controllerEpoch(), node(), live(), keyspace(), partition(), partitionWithEverything(),
                NodeRegistration.active("n9", "h", 1, 2, 3, Optional.empty(), new NodeCapacity(0, 1), T));
    }
}
