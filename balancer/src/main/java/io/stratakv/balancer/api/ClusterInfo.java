package io.stratakv.balancer.api;

import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.KeyspaceState;
import io.stratakv.zk.records.NodeState;
import io.stratakv.zk.records.PartitionState;

import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/cluster}: this balancer's partition map (from ZooKeeper) with its own passive view
 * of node health. {@code generation} grows with every change the balancer applied.
 */
public record ClusterInfo(long generation, boolean loaded, List<Node> nodes, List<Keyspace> keyspaces,
                          List<Partition> partitions) {

    /**
     * @param live        its ephemeral znode exists
     * @param suspect     this balancer saw consecutive failures recently and avoids it for reads
     * @param outstanding requests in flight to it from this balancer
     * @param healthy     its admin /healthcheck answered well in the last polls (active health)
     * @param slow        a latency outlier among the nodes (reads avoid it while another replica can serve)
     * @param latencyMs   EWMA of this balancer's calls to it, milliseconds (0: none yet)
     */
    public record Node(String id, String host, int dataPort, NodeState state, boolean live, boolean suspect,
                       int outstanding, boolean healthy, boolean slow, double latencyMs) {
    }

    public record Keyspace(String name, KeyspaceState state, int partitions, int replicationFactor,
                           String defaultWriteConsistency, String defaultReadConsistency, boolean complete) {
    }

    /** @param routed whether requests route to it now (not RETIRED, not shadowed by its split children) */
    public record Partition(String keyspace, int partitionId, HashRange range, PartitionState state,
                            Optional<String> leader, long leaderEpoch, List<String> replicas, List<String> learners,
                            int znodeVersion, boolean routed) {
    }
}
