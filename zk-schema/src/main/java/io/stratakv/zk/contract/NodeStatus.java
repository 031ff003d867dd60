package io.stratakv.zk.contract;

import io.stratakv.zk.ZkNames;

import java.util.List;

/**
 * Node to controller, {@code GET /internal/v1/status}: the answer to the controller's health poll,
 * with every replica the node holds.
 *
 * @param incarnation the node's current incarnation (as in its {@code /nodes/live} znode)
 */
public record NodeStatus(String nodeId, long incarnation, List<PartitionStatus> partitions) {
    public NodeStatus {
        ZkNames.requireNodeId(nodeId);
        if (incarnation < 1) {
            throw new IllegalArgumentException("incarnation " + incarnation + " must be at least 1");
        }
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
    }
}
