package io.stratakv.zk.contract;

import io.stratakv.zk.ZkNames;

/**
 * Node to controller: the replica is fenced at {@code fencedEpoch} and this is its log position,
 * from which the controller picks the most up-to-date replica: highest {@code lastEpoch}, then
 * highest {@code endOffset} (DESIGN.md §4.3).
 *
 * @param lastEpoch    the epoch of the last entry in the replica's log (0 if empty)
 * @param endOffset    the offset after its last entry
 * @param commitOffset the commit offset it knows (informational: elections compare the log, not this)
 */
public record FenceResponse(String nodeId, String keyspace, int partitionId, long fencedEpoch, long lastEpoch,
                            long endOffset, long commitOffset) {
    public FenceResponse {
        ZkNames.requireNodeId(nodeId);
        ZkNames.requireKeyspace(keyspace);
        ZkNames.requirePartitionId(partitionId);
        if (lastEpoch > fencedEpoch) {
            throw new IllegalArgumentException("lastEpoch " + lastEpoch + " is above fencedEpoch " + fencedEpoch);
        }
        if (lastEpoch < 0 || endOffset < 0 || commitOffset < 0 || commitOffset > endOffset) {
            throw new IllegalArgumentException("inconsistent log position: lastEpoch " + lastEpoch + ", endOffset "
                    + endOffset + ", commitOffset " + commitOffset);
        }
    }
}
