package io.stratakv.zk.records;

/** What a read may observe (DESIGN.md §3). Shared by every module; a keyspace names its default. */
public enum ReadConsistency {
    /** Linearizable: the leader, after confirming its leadership once the read arrived. The default. */
    STRONG,
    /** Read-your-writes: any replica that has applied the client's last write position. */
    SESSION,
    /** Any in-sync replica, possibly stale; the response says how far behind it may be. */
    EVENTUAL;

    public static final ReadConsistency DEFAULT = STRONG;
}
