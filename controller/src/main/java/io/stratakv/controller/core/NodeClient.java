package io.stratakv.controller.core;

import io.stratakv.zk.contract.FenceRequest;
import io.stratakv.zk.contract.FenceResponse;
import io.stratakv.zk.contract.NodeStatus;
import io.stratakv.zk.contract.TransferLeadershipRequest;
import io.stratakv.zk.contract.TransferLeadershipResponse;
import io.stratakv.zk.records.NodeRegistration;

/**
 * The controller's calls to storage nodes over HTTP (the node side lives in the node module).
 * Every call has the configured timeout; a node that does not answer throws.
 *
 * <ul>
 *   <li>fence: {@code POST http://host:internalPort/internal/v1/partitions/{ks}/{pid}/fence} with a
 *       {@link FenceRequest}; the replica refuses anything older than the epoch from then on and
 *       answers its last epoch and end offset;</li>
 *   <li>status: {@code GET http://host:internalPort/internal/v1/status};</li>
 *   <li>health: {@code GET http://host:adminPort/healthcheck}, healthy on 200;</li>
 *   <li>transferLeadership: {@code POST http://host:internalPort/internal/v1/partitions/{ks}/{pid}/transfer}
 *       with a {@link TransferLeadershipRequest}, sent to the current leader before a planned
 *       transfer (the leader pauses writes until the target caught up or the request's timeout).</li>
 * </ul>
 */
public interface NodeClient {

    FenceResponse fence(NodeRegistration node, FenceRequest request) throws Exception;

    NodeStatus status(NodeRegistration node) throws Exception;

    boolean healthy(NodeRegistration node);

    /**
     * Asks the leader to prepare a planned hand-over to {@code request.targetNodeId()}; the call
     * may take up to the request's own timeout plus the usual one. Implementations that cannot
     * do this throw {@link UnsupportedOperationException} (the default).
     */
    default TransferLeadershipResponse transferLeadership(NodeRegistration leader, TransferLeadershipRequest request)
            throws Exception {
        throw new UnsupportedOperationException("this NodeClient cannot ask a leader to transfer leadership");
    }
}
