package io.stratakv.zk.records;

import io.stratakv.zk.ZkNames;

import java.time.Instant;
import java.util.Map;

/**
 * {@code <root>/keyspaces/<ks>}: a keyspace's settings, written by the controller. Its
 * partitions are the children of {@code <root>/partitions/<ks>}.
 *
 * @param partitions        how many partitions currently cover the ring (not counting retired
 *                          split parents); updated in the same multi as a split
 * @param replicationFactor voters per partition
 * @param uncleanElection   whether a partition with no reachable majority may elect a replica that
 *                          may lack committed entries (off by default; may lose acknowledged writes)
 * @param options           free-form settings (string to string) that later versions may read
 * @param nextPartitionId   the id the next new partition (a split child) gets; ids are never reused
 */
public record KeyspaceRecord(
        int schema,
        String name,
        int partitions,
        int replicationFactor,
        WriteConsistency defaultWriteConsistency,
        ReadConsistency defaultReadConsistency,
        boolean uncleanElection,
        Map<String, String> options,
        Instant createdAt,
        KeyspaceState state,
        int nextPartitionId) implements ZkRecord {

    public KeyspaceRecord {
        ZkRecord.checkSchema(schema, KeyspaceRecord.class);
        ZkNames.requireKeyspace(name);
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions " + partitions + " must be at least 1");
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor " + replicationFactor + " must be at least 1");
        }
        Checks.present(defaultWriteConsistency, "defaultWriteConsistency");
        Checks.present(defaultReadConsistency, "defaultReadConsistency");
        options = options == null ? Map.of() : Map.copyOf(options);
        Checks.present(createdAt, "createdAt");
        Checks.present(state, "state");
        if (nextPartitionId < partitions) {
            throw new IllegalArgumentException("nextPartitionId " + nextPartitionId
                    + " is below the partition count " + partitions + ": ids would be reused");
        }
    }

    /** A new keyspace of {@code partitions} partitions with ids 0..partitions-1, in state CREATING. */
    public static KeyspaceRecord creating(String name, int partitions, int replicationFactor,
                                          WriteConsistency write, ReadConsistency read, boolean uncleanElection,
                                          Map<String, String> options, Instant createdAt) {
        return new KeyspaceRecord(SCHEMA_V1, name, partitions, replicationFactor, write, read, uncleanElection,
                options, createdAt, KeyspaceState.CREATING, partitions);
    }

    /** This keyspace in state {@code next}; refuses a change {@link KeyspaceState#canBecome} does not allow. */
    public KeyspaceRecord withState(KeyspaceState next) {
        if (!state.canBecome(next)) {
            throw new IllegalStateException("keyspace " + name + " cannot go from " + state + " to " + next);
        }
        return new KeyspaceRecord(schema, name, partitions, replicationFactor, defaultWriteConsistency,
                defaultReadConsistency, uncleanElection, options, createdAt, next, nextPartitionId);
    }

    /** After splitting one partition into two new ones: one more partition, two ids used. */
    public KeyspaceRecord afterSplit() {
        return new KeyspaceRecord(schema, name, partitions + 1, replicationFactor, defaultWriteConsistency,
                defaultReadConsistency, uncleanElection, options, createdAt, state, nextPartitionId + 2);
    }
}
