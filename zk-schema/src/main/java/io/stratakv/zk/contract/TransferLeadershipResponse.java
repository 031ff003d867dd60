package io.stratakv.zk.contract;

import io.stratakv.zk.ZkNames;

/**
 * The leader's answer to a {@link TransferLeadershipRequest}.
 *
 * @param endOffset      the leader's end offset once it stopped accepting writes
 * @param targetCaughtUp whether the target had reached {@code endOffset} before the timeout
 */
public record TransferLeadershipResponse(String nodeId, String keyspace, int partitionId, long epoch, long endOffset,
                                         boolean targetCaughtUp) {
    public TransferLeadershipResponse {
        ZkNames.requireNodeId(nodeId);
        ZkNames.requireKeyspace(keyspace);
        ZkNames.requirePartitionId(partitionId);
        if (epoch < 1 || endOffset < 0) {
            throw new IllegalArgumentException("epoch " + epoch + " must be at least 1 and endOffset " + endOffset
                    + " non-negative");
        }
    }
}
