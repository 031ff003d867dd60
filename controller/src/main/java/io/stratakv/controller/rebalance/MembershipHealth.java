package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.NodeHealth;
import io.stratakv.controller.membership.Membership;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.NodeState;

/**
 * Node health for moves, from {@link Membership} (ZooKeeper liveness plus HTTP health polls with
 * a grace period). One difference: Membership reports a dead DECOMMISSIONING node as DOWN, so its
 * partitions get new leaders; for planning it stays DECOMMISSIONING, so it is drained at once as
 * the operator asked instead of waiting out {@code replaceDownNodeAfter} like any DOWN node.
 */
public final class MembershipHealth implements NodeHealthSource {

    private final Membership membership;

    public MembershipHealth(Membership membership) {
        this.membership = membership;
    }

    @Override
    public NodeHealth health(String nodeId, ClusterView view) {
        Versioned<NodeRegistration> reg = view.registered().get(nodeId);
        if (reg == null) {
            return NodeHealth.REMOVED;
        }
        NodeHealth h = membership.health(nodeId);
        if (h == NodeHealth.DOWN && reg.value().state() == NodeState.DECOMMISSIONING) {
            return NodeHealth.DECOMMISSIONING;
        }
        return h;
    }
}
