package io.stratakv.controller.placement;

/** Fewer eligible nodes than the replication factor: nothing is placed (no half-made keyspace). */
public final class NotEnoughNodesException extends RuntimeException {

    private final int needed;
    private final int available;

    public NotEnoughNodesException(int needed, int available) {
        super("replication factor " + needed + " needs " + needed + " active nodes, but only " + available + " are available");
        this.needed = needed;
        this.available = available;
    }

    public int needed() {
        return needed;
    }

    public int available() {
        return available;
    }
}
