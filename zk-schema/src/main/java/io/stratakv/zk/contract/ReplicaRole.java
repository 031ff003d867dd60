package io.stratakv.zk.contract;

/** What a node's replica of a partition is doing now, as it reports in {@link PartitionStatus}. */
public enum ReplicaRole {
    /** Serves reads and writes at its epoch. */
    LEADER,
    /** A voter fetching from the leader. */
    FOLLOWER,
    /** A non-voting member fetching from the leader (catching up before it becomes a voter). */
    LEARNER,
    /** Fenced at a newer epoch; waits for the controller to publish the outcome. */
    FENCED,
    /** Being rebuilt from a snapshot (too far behind, DESIGN.md §4.7). */
    RECOVERING,
    /** Present on disk but not serving (its keyspace is being deleted, or it is not in the replica set). */
    STOPPED
}
