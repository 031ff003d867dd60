package io.stratakv.zk.records;

import io.stratakv.zk.ZkNames;

import java.time.Instant;

/**
 * A split the controller is carrying out, stored in the parent partition so that a new
 * controller resumes it with the same child ids. The children's ranges are the halves of the
 * parent's range ({@code HashRange.split()}).
 *
 * @param lowerPartitionId the id of the child that takes the lower half
 * @param upperPartitionId the id of the child that takes the upper half
 */
public record SplitPlan(int lowerPartitionId, int upperPartitionId, Instant requestedAt) {
    public SplitPlan {
        ZkNames.requirePartitionId(lowerPartitionId);
        ZkNames.requirePartitionId(upperPartitionId);
        if (lowerPartitionId == upperPartitionId) {
            throw new IllegalArgumentException("split children need distinct ids, got " + lowerPartitionId + " twice");
        }
        Checks.present(requestedAt, "split.requestedAt");
    }
}
