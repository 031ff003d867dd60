package io.stratakv.controller.core;

/**
 * The controller's view of a node's health (kept in memory, not in ZooKeeper):
 * ACTIVE (live znode and passing health polls), SUSPECT (failing polls, within the grace period),
 * DOWN (no live znode, or failing polls past the grace period), and the operator states
 * DECOMMISSIONING and REMOVED copied from the registration znode.
 */
public enum NodeHealth {
    ACTIVE, SUSPECT, DOWN, DECOMMISSIONING, REMOVED;

    /** Whether a replica on this node may serve and be elected. */
    public boolean canServe() {
        return this == ACTIVE || this == SUSPECT || this == DECOMMISSIONING;
    }
}
