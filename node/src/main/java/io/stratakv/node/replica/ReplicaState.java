package io.stratakv.node.replica;

/**
 * What a local replica does now. Transitions happen only in {@link Replica}, under its cut-over
 * lock, published with a compare-and-set of its {@link Replica.View}:
 *
 * <pre>
 *   OFFLINE ──record: leader me at E, fenced at E here──▶ LEADER(E)
 *   any ──record: leader other at E ≥ epoch──▶ FOLLOWER(E)
 *   FOLLOWER(E) ──leader says SNAPSHOT_NEEDED──▶ CATCHING_UP(E) ──snapshot installed──▶ FOLLOWER(E)
 *   any ──fence at E' &gt; epoch, record without leader, newer epoch in a fetch──▶ FENCED(E')
 *   LEADER(E) ──ZooKeeper SUSPENDED/LOST──▶ OFFLINE(E) ──record still says leader me at E──▶ LEADER(E)
 *   any ──close──▶ OFFLINE (terminal for this object)
 * </pre>
 */
public enum ReplicaState {
    /** Accepts writes and serves STRONG reads at its epoch; answers fetches. */
    LEADER,
    /** Fetches from the leader of its epoch (after truncating to the leader's end of its last epoch). */
    FOLLOWER,
    /** Promised an epoch newer than any leader it knows; serves nothing but EVENTUAL reads and fence/status. */
    FENCED,
    /**
     * Following epoch E but unable to continue from its log (below the leader's log start, or no
     * common epoch): streams and installs a snapshot of the leader (SNAPSHOT_FORMAT.md), then is
     * FOLLOWER(E) again. Appends nothing meanwhile; status says RECOVERING.
     */
    CATCHING_UP,
    /** Not serving: a leader cut off from ZooKeeper, or a closed replica. */
    OFFLINE
}
