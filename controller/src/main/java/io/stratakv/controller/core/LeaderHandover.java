package io.stratakv.controller.core;

import io.stratakv.zk.Versioned;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.records.PartitionRecord;

/**
 * A planned move of a partition's leadership to one of its voters: the current leader pauses
 * writes until the target has caught up, then an election at the next epoch prefers the target
 * (election/LeaderTransfers). Used wherever leadership has to leave a live node on purpose, so
 * the target wins even under load instead of the busy leader being re-elected.
 */
@FunctionalInterface
public interface LeaderHandover {

    /**
     * @return the published record with {@code target} leading
     * @throws AdminException TARGET_NOT_ELIGIBLE, PARTITION_UNAVAILABLE or OPERATION_IN_PROGRESS
     *                        when the transfer did not happen
     */
    Versioned<PartitionRecord> transfer(ControllerFence fence, Versioned<PartitionRecord> partition, String target)
            throws Exception;
}
