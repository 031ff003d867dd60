package io.stratakv.zk.contract;

import io.stratakv.zk.ZkNames;

/**
 * Controller to the current leader, {@code POST /internal/v1/partitions/{ks}/{pid}/transfer}:
 * prepare to hand leadership to {@code targetNodeId}. The leader stops accepting new writes at
 * {@code epoch}, waits up to {@code timeoutMillis} for the target to reach its end offset, and
 * answers with a {@link TransferLeadershipResponse}; the controller then runs an election at the
 * next epoch that prefers the target. If the election does not follow, the leader resumes
 * serving after the timeout. Used to move leadership off a member before removing it and to
 * balance leaders.
 *
 * @param epoch the leader epoch the controller believes current; another epoch is refused
 *              ({@link ErrorCode#STALE_EPOCH} or {@link ErrorCode#NOT_LEADER})
 */
public record TransferLeadershipRequest(String keyspace, int partitionId, long epoch, long controllerEpoch,
                                        String targetNodeId, long timeoutMillis) {
    public TransferLeadershipRequest {
        ZkNames.requireKeyspace(keyspace);
        ZkNames.requirePartitionId(partitionId);
        ZkNames.requireNodeId(targetNodeId);
        if (epoch < 1 || controllerEpoch < 1 || timeoutMillis < 1) {
            throw new IllegalArgumentException("epoch " + epoch + ", controllerEpoch " + controllerEpoch
                    + " and timeoutMillis " + timeoutMillis + " must be at least 1");
        }
    }
}
