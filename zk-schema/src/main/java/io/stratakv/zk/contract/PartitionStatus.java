package io.stratakv.zk.contract;

import io.stratakv.zk.ZkNames;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One replica's state in {@link NodeStatus}. Offsets are log offsets;
 * {@code logStart <= appliedOffset <= commitOffset <= logEnd} is what a healthy replica reports
 * ({@code appliedOffset} may briefly trail, never lead, {@code commitOffset}).
 *
 * @param epoch      the leader epoch the replica follows (or leads)
 * @param lagRecords entries behind the leader's end as the replica last learned it (0 on the leader)
 * @param sizeBytes  bytes on disk (log and LSM files); the leader's is what automatic splits compare
 *                   with the controller's {@code splits.autoSplitBytes}
 * @param splitAt    empty while the replica has not split; else the log offset of the split entry
 *                   (DESIGN.md §5) at which it split its state, reported only once both children's
 *                   stores are complete on this node, so the controller may publish them. Absent in
 *                   the JSON of an older node, which reads as empty (StrataJson's rule for fields
 *                   added later).
 */
public record PartitionStatus(String keyspace, int partitionId, ReplicaRole role, long epoch, long logStart,
                              long logEnd, long commitOffset, long appliedOffset, long lagRecords, long sizeBytes,
                              OptionalLong splitAt) {

    /** A replica that has not split. */
    public PartitionStatus(String keyspace, int partitionId, ReplicaRole role, long epoch, long logStart,
                           long logEnd, long commitOffset, long appliedOffset, long lagRecords, long sizeBytes) {
        this(keyspace, partitionId, role, epoch, logStart, logEnd, commitOffset, appliedOffset, lagRecords, sizeBytes, OptionalLong.empty());
    }

    public PartitionStatus {
        splitAt = splitAt == null ? OptionalLong.empty() : splitAt;
        if (splitAt.isPresent() && splitAt.getAsLong() < 0) {
            throw new IllegalArgumentException("splitAt " + splitAt.getAsLong() + " is negative for " + keyspace + "/"
                    + partitionId);
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
