package io.stratakv.zk.contract;

import io.stratakv.zk.ZkNames;

import java.util.Objects;

/**
 * One replica's state in {@link NodeStatus}. Offsets are log offsets;
 * {@code logStart <= appliedOffset <= commitOffset <= logEnd} is what a healthy replica reports
 * ({@code appliedOffset} may briefly trail, never lead, {@code commitOffset}).
 *
 * @param epoch      the leader epoch the replica follows (or leads)
 * @param lagRecords entries behind the leader's end as the replica last learned it (0 on the leader)
 * @param sizeBytes  bytes on disk (log and LSM files); the leader's is what automatic splits compare
 *                   with the controller's {@code splits.autoSplitBytes}
 * @param splitAt    0 while the replica has not split; else the log offset of the split entry
 *                   (DESIGN.md §5) at which it split its state, reported only once both children's
 *                   stores are complete on this node, so the controller may publish them. A split
 *                   entry is never at offset 0 (a replicated log starts with an epoch-start record),
 *                   and an older node that omits the field reads as 0.
 */
public record PartitionStatus(String keyspace, int partitionId, ReplicaRole role, long epoch, long logStart,
                              long logEnd, long commitOffset, long appliedOffset, long lagRecords, long sizeBytes,
                              long splitAt) {

    /** A replica that has not split. */
    public PartitionStatus(String keyspace, int partitionId, ReplicaRole role, long epoch, long logStart,
                           long logEnd, long commitOffset, long appliedOffset, long lagRecords, long sizeBytes) {
        this(keyspace, partitionId, role, epoch, logStart, logEnd, commitOffset, appliedOffset, lagRecords, sizeBytes, 0);
    }

    public PartitionStatus {
        if (splitAt < 0) {
            throw new IllegalArgumentException("splitAt " + splitAt + " is negative for " + keyspace + "/" + partitionId);
        }
        ZkNames.requireKeyspace(keyspace);
        ZkNames.requirePartitionId(partitionId);
        Objects.requireNonNull(role, "role is required");
        if (epoch < 0 || logStart < 0 || logEnd < logStart || commitOffset > logEnd || appliedOffset > commitOffset
                || lagRecords < 0 || sizeBytes < 0) {
            throw new IllegalArgumentException("inconsistent partition status for " + keyspace + "/" + partitionId
                    + ": epoch " + epoch + ", log [" + logStart + ", " + logEnd + "), commit " + commitOffset
                    + ", applied " + appliedOffset + ", lag " + lagRecords + ", size " + sizeBytes);
        }
    }
}
