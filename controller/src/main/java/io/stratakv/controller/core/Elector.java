package io.stratakv.controller.core;

import io.stratakv.zk.Versioned;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.records.PartitionRecord;

import java.util.List;

/**
 * Partition leader election as DESIGN.md §4.3, also used to publish a new replica set (each
 * replica change is an election at a new epoch): record the new epoch (ELECTING) with a fenced
 * compare-and-set, fence the live replicas at it, wait for a majority of the new voters, pick the
 * replica with the highest (lastEpoch, endOffset), publish it as leader with a compare-and-set.
 */
public interface Elector {

    /**
     * @param preferred a replica to choose when it is among the most up to date (planned transfers
     *                  and leader balancing); empty for none
     * @return the published record (ONLINE or SPLITTING), or the record left ELECTING/OFFLINE when
     *         no majority answered
     */
    Versioned<PartitionRecord> elect(ControllerFence fence, Versioned<PartitionRecord> partition,
                                     List<String> voters, List<String> learners,
                                     java.util.Optional<String> preferred) throws Exception;
}
