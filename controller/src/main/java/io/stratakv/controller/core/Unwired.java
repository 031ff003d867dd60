package io.stratakv.controller.core;

import io.stratakv.zk.Versioned;
import io.stratakv.zk.contract.FenceRequest;
import io.stratakv.zk.contract.FenceResponse;
import io.stratakv.zk.contract.NodeStatus;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.PartitionRecord;

import java.util.List;
import java.util.Optional;

/**
 * PLACEHOLDERS for the seams implemented on the election branch (wip-elect): the partition
 * Elector and the HTTP NodeClient. ControllerApplication uses these until that branch is merged;
 * replace them there. Until then every move step that needs them fails (logged, retried each pass)
 * and moves do not progress past adding a learner.
 */
public final class Unwired {

    private Unwired() {
    }

    public static final class NoElector implements Elector {
        @Override
        public Versioned<PartitionRecord> elect(ControllerFence fence, Versioned<PartitionRecord> partition,
                                                List<String> voters, List<String> learners, Optional<String> preferred) {
            throw new UnsupportedOperationException("no Elector wired yet (comes with the election branch)");
        }
    }

    public static final class NoNodeClient implements NodeClient {
        @Override
        public FenceResponse fence(NodeRegistration node, FenceRequest request) {
            throw new UnsupportedOperationException("no NodeClient wired yet (comes with the election branch)");
        }

        @Override
        public NodeStatus status(NodeRegistration node) {
            throw new UnsupportedOperationException("no NodeClient wired yet (comes with the election branch)");
        }

        @Override
        public boolean healthy(NodeRegistration node) {
            return false;
        }
    }
}
