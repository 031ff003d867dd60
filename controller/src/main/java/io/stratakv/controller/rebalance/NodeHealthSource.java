package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.NodeHealth;

/**
 * Where rebalancing learns a node's health. Membership (the health poller, built beside this)
 * plugs in here; until then {@link ZnodeDerivedHealth} derives it from the view alone.
 */
@FunctionalInterface
public interface NodeHealthSource {
    NodeHealth health(String nodeId, ClusterView view);
}
