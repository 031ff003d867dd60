package io.stratakv.zk.records;

/** When a write is acknowledged (DESIGN.md §3). Shared by every module; a keyspace names its default. */
public enum WriteConsistency {
    /** Once the leader has appended it. Lost if the leader fails before it commits. */
    ONE,
    /** Once committed: durable on a majority of the replica set. The default. */
    QUORUM,
    /** Once every replica in the replica set has it; after the deadline, a clear error saying whether it committed. */
    ALL;

    public static final WriteConsistency DEFAULT = QUORUM;
}
