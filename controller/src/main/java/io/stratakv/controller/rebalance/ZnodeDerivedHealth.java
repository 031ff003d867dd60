package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.NodeHealth;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.records.NodeRegistration;

/**
 * PLACEHOLDER until Membership (HTTP health polls with a grace period) is merged: replace its use
 * in ControllerApplication with Membership's health. Derives health from ZooKeeper alone:
 * registration state DECOMMISSIONING/REMOVED → those; else a live znode → ACTIVE; else DOWN.
 * It never says SUSPECT, and a node that is alive in ZooKeeper but not serving looks ACTIVE.
 */
public final class ZnodeDerivedHealth implements NodeHealthSource {
    @Override
    public NodeHealth health(String nodeId, ClusterView view) {
        Versioned<NodeRegistration> reg = view.registered().get(nodeId);
        if (reg == null) {
            return NodeHealth.REMOVED;
        }
        return switch (reg.value().state()) {
            case DECOMMISSIONING -> NodeHealth.DECOMMISSIONING;
            case REMOVED -> NodeHealth.REMOVED;
            case ACTIVE -> view.live().containsKey(nodeId) ? NodeHealth.ACTIVE : NodeHealth.DOWN;
        };
    }
}
