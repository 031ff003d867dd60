package io.stratakv.zk.records;

import java.util.Set;

/**
 * The administrative state of a registered node, stored in its registration znode.
 *
 * <p>Health (up, suspect, down) is deliberately <em>not</em> here: it is derived from the
 * ephemeral {@code /nodes/live/<nodeId>} znode and the controller's HTTP polls, changes often,
 * and is the controller's in-memory view. Writing it to ZooKeeper would put high-rate state
 * there and race with the node's own writes.
 */
public enum NodeState {
    /** May hold replicas and lead partitions. */
    ACTIVE,
    /** Being drained: receives no new replicas; the controller moves its replicas away. */
    DECOMMISSIONING,
    /** Holds no replicas and may not rejoin under this id without an operator's action. */
    REMOVED;

    /** The state changes the controller may make; a node creates its registration as ACTIVE. */
    public boolean canBecome(NodeState next) {
        return switch (this) {
            case ACTIVE -> next == DECOMMISSIONING;
            case DECOMMISSIONING -> Set.of(ACTIVE, REMOVED).contains(next);
            case REMOVED -> next == ACTIVE;
        };
    }
}
