package io.stratakv.zk.records;

/**
 * What a node offers to placement.
 *
 * @param diskBytes the bytes of disk the node may use for partition data
 * @param weight    its share of replicas relative to other nodes ({@link #DEFAULT_WEIGHT} = average)
 */
public record NodeCapacity(long diskBytes, int weight) {
    /** A node of ordinary size; a node twice as large would say 200. */
    public static final int DEFAULT_WEIGHT = 100;

    public NodeCapacity {
        Checks.nonNegative(diskBytes, "capacity.diskBytes");
        if (weight < 1) {
            throw new IllegalArgumentException("capacity.weight " + weight + " must be at least 1");
        }
    }
}
