package io.stratakv.zk.records;

/** The lifecycle of a keyspace. */
public enum KeyspaceState {
    /** Its partition znodes are being created; not yet served. A new controller finishes or undoes it. */
    CREATING,
    /** Served. */
    ACTIVE,
    /** Being deleted: no longer served; replicas drop their data, then the znodes go. */
    DELETING;

    public boolean canBecome(KeyspaceState next) {
        return switch (this) {
            case CREATING -> next == ACTIVE || next == DELETING;
            case ACTIVE -> next == DELETING;
            case DELETING -> false;
        };
    }
}
