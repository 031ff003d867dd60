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
 * @param sizeBytes  bytes on disk (log and LSM files)
 */
public record PartitionStatus(String keyspace, int partitionId, ReplicaRole role, long epoch, long logStart,
                              long logEnd, long commitOffset, long appliedOffset, long lagRecords, long sizeBytes) {
    public PartitionStatus {
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
