package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.AdminException;
import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.ControllerLeadership;
import io.stratakv.controller.core.NodeHealth;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedWrite;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.KeyspaceState;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.NodeState;
import org.apache.curator.framework.CuratorFramework;

import java.util.Map;

/**
 * Starts a decommission: the node's registration goes ACTIVE → DECOMMISSIONING by a fenced
 * compare-and-set. From then on the planner drains it (it gets no new replicas, every replica on
 * it is moved one member at a time) and {@link RebalanceTask} marks it REMOVED once it holds
 * nothing. Refused when the ACTIVE nodes left would be fewer than the largest replication
 * factor: the drain could never finish.
 */
public final class Decommissioning {

    /** What the endpoint answers: the node and its state after the request. */
    public record NodeStateView(String nodeId, NodeState state, int replicasHeld) {
    }

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final ControllerLeadership leadership;
    private final NodeHealthSource health;

    public Decommissioning(CuratorFramework client, ZkLayout layout, ControllerLeadership leadership,
                           NodeHealthSource health) {
        this.client = client;
        this.layout = layout;
        this.leadership = leadership;
        this.health = health;
    }

    public NodeStateView decommission(String nodeIdText) throws Exception {
        String nodeId = AdminWrites.nodeId(nodeIdText);
        ControllerFence fence = AdminWrites.requireActive(leadership);
        ClusterView view = ClusterView.read(client, layout);
        Versioned<NodeRegistration> reg = view.registered().get(nodeId);
        if (reg == null) {
            throw new AdminException(ErrorCode.NODE_NOT_FOUND, "no registered node '" + nodeId + "'",
                    Map.of("nodeId", nodeId));
        }
        NodeState state = reg.value().state();
        if (state != NodeState.ACTIVE) {
            // Already draining or drained: the request is satisfied (idempotent retries).
            return new NodeStateView(nodeId, state, replicasHeld(view, nodeId));
        }
        int neededActive = view.keyspaces().values().stream().map(Versioned::value)
                .filter(k -> k.state() != KeyspaceState.DELETING)
                .mapToInt(KeyspaceRecord::replicationFactor).max().orElse(0);
        long remaining = view.registered().values().stream().map(Versioned::value)
                .filter(n -> !n.nodeId().equals(nodeId) && n.state() == NodeState.ACTIVE)
                .filter(n -> health.health(n.nodeId(), view) == NodeHealth.ACTIVE).count();
        if (remaining < neededActive) {
            throw new AdminException(ErrorCode.NOT_ENOUGH_NODES, "decommissioning " + nodeId + " would leave "
                    + remaining + " active nodes, fewer than the largest replication factor " + neededActive,
                    Map.of("nodeId", nodeId, "needed", String.valueOf(neededActive), "available", String.valueOf(remaining)));
        }
        AdminWrites.commit(FencedWrite.begin(client, fence).update(layout.registeredNode(nodeId),
                reg.value().withState(NodeState.DECOMMISSIONING), reg.version()), leadership);
        return new NodeStateView(nodeId, NodeState.DECOMMISSIONING, replicasHeld(view, nodeId));
    }

    private static int replicasHeld(ClusterView view, String nodeId) {
        return (int) RebalanceTask.movablePartitions(view).stream()
                .filter(p -> p.value().replicas().contains(nodeId)).count();
    }
}
