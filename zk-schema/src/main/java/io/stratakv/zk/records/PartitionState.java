package io.stratakv.zk.records;

/**
 * The lifecycle of a partition as the controller publishes it. ONLINE and SPLITTING have a
 * leader; OFFLINE, ELECTING and RETIRED have none. A pending split survives an election: a
 * SPLITTING partition whose leader fails goes to ELECTING with its split plan, and the election's
 * outcome is SPLITTING again.
 */
public enum PartitionState {
    /** Not served: created but never elected, or no majority of replicas reachable. */
    OFFLINE,
    /**
     * The controller has recorded a new leader epoch and is fencing the replicas at it; no leader
     * until it publishes one. A new controller that finds this state reruns the election at a
     * higher epoch.
     */
    ELECTING,
    /** A leader serves at {@code leaderEpoch}. */
    ONLINE,
    /**
     * A split was requested ({@code split} names the children); replicas split their state at the
     * split entry of the log, then the controller publishes the two children and retires this one.
     */
    SPLITTING,
    /** Replaced by its split children; kept so that stale readers learn where its range went. */
    RETIRED;

    public boolean canBecome(PartitionState next) {
        return switch (this) {
            case OFFLINE -> next == ELECTING;
            case ELECTING -> next == ELECTING || next == ONLINE || next == SPLITTING || next == OFFLINE;
            case ONLINE -> next == ELECTING || next == SPLITTING;
            case SPLITTING -> next == ELECTING || next == ONLINE || next == RETIRED;
            case RETIRED -> false;
        };
    }

    /** Whether a partition in this state names a leader (it must), or not (it must not). */
    public boolean hasLeader() {
        return this == ONLINE || this == SPLITTING;
    }
}
