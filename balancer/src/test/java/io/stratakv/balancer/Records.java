package io.stratakv.balancer;

import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.KeyspaceState;
import io.stratakv.zk.records.NodeCapacity;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.NodeState;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Znode records as the controller and nodes would write them, for tests. */
final class Records {

    private Records() {
    }

    static KeyspaceRecord keyspace(String name, int partitions, ReadConsistency read) {
        return new KeyspaceRecord(KeyspaceRecord.SCHEMA_V1, name, partitions, 3, WriteConsistency.QUORUM, read, false,
                Map.of(), Instant.parse("2025-01-01T00:00:00Z"), KeyspaceState.ACTIVE, partitions);
    }

    static PartitionRecord online(String ks, int pid, HashRange range, List<String> replicas, String leader, long epoch) {
        return new PartitionRecord(PartitionRecord.SCHEMA_V1, ks, pid, range, replicas, List.of(), Optional.of(leader),
                epoch, PartitionState.ONLINE, 1, Optional.empty(), Optional.empty());
    }

    static NodeRegistration node(String id, int port) {
        return new NodeRegistration(NodeRegistration.SCHEMA_V1, id, "127.0.0.1", port, port, port, Optional.empty(),
                new NodeCapacity(1L << 30, 1), NodeState.ACTIVE, Instant.parse("2025-01-01T00:00:00Z"));
    }
}
