package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.NodeHealth;

/** Where rebalancing learns a node's health: {@link MembershipHealth} in the controller. */
@FunctionalInterface
public interface NodeHealthSource {
    NodeHealth health(String nodeId, ClusterView view);
}
