package io.stratakv.controller.election;

import io.stratakv.controller.core.AdminException;
import io.stratakv.controller.core.Elector;
import io.stratakv.controller.core.LeaderHandover;
import io.stratakv.controller.core.NodeClient;
import io.stratakv.controller.core.NodeHealth;
import io.stratakv.controller.membership.Membership;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.contract.TransferLeadershipRequest;
import io.stratakv.zk.contract.TransferLeadershipResponse;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A planned leadership transfer (admin call, leader balancing, moving leadership off a
 * decommissioning node): nothing is written to ZooKeeper until the target is known to be caught up.
 *
 * <ol>
 *   <li>The target must be a voter on an ACTIVE node, and the partition ONLINE under a leader.</li>
 *   <li>The current leader is asked to pause writes and wait for the target to reach its end
 *       offset (TransferLeadershipRequest). If it says the target did not catch up, the transfer is
 *       refused with TARGET_NOT_ELIGIBLE ({@code behind}) and nothing changed: the leader resumes on
 *       its own after the request's timeout.</li>
 *   <li>An election at the next epoch with the target preferred. The elector still picks by
 *       (lastEpoch, endOffset) and only prefers the target among the maximal voters, so a target
 *       that fell behind after all (for instance the leader accepted more in between) does not win:
 *       then leadership stays with the most up-to-date replica at a new epoch, and the call
 *       answers TARGET_NOT_ELIGIBLE naming who leads.</li>
 * </ol>
 * Failures are {@link AdminException}s with stable codes.
 */
public final class LeaderTransfers implements LeaderHandover {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderTransfers.class);

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final NodeClient nodes;
    private final Membership membership;
    private final Elector elector;
    private final Duration leaderWait;

    public LeaderTransfers(CuratorFramework client, ZkLayout layout, NodeClient nodes, Membership membership,
                           Elector elector, Duration leaderWait) {
        this.client = client;
        this.layout = layout;
        this.nodes = nodes;
        this.membership = membership;
        this.elector = elector;
        this.leaderWait = leaderWait;
    }

    /** Moves leadership of {@code partition} to {@code target}; returns the published record. */
    @Override
    public Versioned<PartitionRecord> transfer(ControllerFence fence, Versioned<PartitionRecord> partition, String target)
            throws Exception {
        PartitionRecord p = partition.value();
        String name = p.keyspace() + "/" + p.partitionId();
        Map<String, String> details = Map.of("target", target, "partition", name);
        if (!p.replicas().contains(target)) {
            throw notEligible(name, target, "not_a_voter", target + " is not a voter of " + name + " (voters "
                    + p.replicas() + ", learners " + p.learners() + ")");
        }
        if (p.leader().equals(Optional.of(target))) {
            return partition; // already there
        }
        if (p.state() != PartitionState.ONLINE) {
            if (p.state() == PartitionState.SPLITTING) {
                throw new AdminException(ErrorCode.OPERATION_IN_PROGRESS, name + " is splitting; transfer after it", details);
            }
            throw new AdminException(ErrorCode.PARTITION_UNAVAILABLE, name + " is " + p.state()
                    + " with no leader to hand over from; the controller is electing one", details);
        }
        NodeHealth health = membership.health(target);
        if (health != NodeHealth.ACTIVE) {
            throw notEligible(name, target, "not_active", "the node of " + target + " is " + health + ", not ACTIVE");
        }
        String leaderId = p.leader().orElseThrow();
        Optional<NodeRegistration> leader = ZkCodec.read(client, layout.registeredNode(leaderId), NodeRegistration.class)
                .map(Versioned::value);
        if (leader.isEmpty()) {
            throw new AdminException(ErrorCode.PARTITION_UNAVAILABLE, "the leader " + leaderId + " of " + name
                    + " is not registered; the controller elects a new one", details);
        }
        TransferLeadershipResponse prepared;
        try {
            prepared = nodes.transferLeadership(leader.get(), new TransferLeadershipRequest(p.keyspace(),
                    p.partitionId(), p.leaderEpoch(), fence.epoch(), target, leaderWait.toMillis()));
        } catch (Exception e) {
            throw new AdminException(ErrorCode.PARTITION_UNAVAILABLE, "the leader " + leaderId + " of " + name
                    + " did not prepare the transfer: " + e.getMessage(), details);
        }
        if (!prepared.targetCaughtUp()) {
            throw notEligible(name, target, "behind", target + " did not catch up with the leader " + leaderId
                    + " (end offset " + prepared.endOffset() + ") within " + leaderWait.toMillis() + " ms");
        }
        Versioned<PartitionRecord> out = elector.elect(fence, partition, p.replicas(), p.learners(), Optional.of(target));
        if (!out.value().leader().equals(Optional.of(target))) {
            LOG.warn("partition {}: transfer to {} did not happen; leader is {} at epoch {} ({})", name, target,
                    out.value().leader().orElse("none"), out.value().leaderEpoch(), out.value().state());
            throw new AdminException(ErrorCode.TARGET_NOT_ELIGIBLE, target + " was not among the most up-to-date "
                    + "replicas when fenced; " + name + " is " + out.value().state() + " with leader "
                    + out.value().leader().orElse("none") + " at epoch " + out.value().leaderEpoch(),
                    Map.of("target", target, "partition", name, "reason", "behind",
                            "leader", out.value().leader().orElse(""),
                            "leaderEpoch", String.valueOf(out.value().leaderEpoch())));
        }
        LOG.info("partition {}: leadership transferred from {} to {} at epoch {}", name, leaderId, target,
                out.value().leaderEpoch());
        return out;
    }

    private static AdminException notEligible(String name, String target, String reason, String message) {
        return new AdminException(ErrorCode.TARGET_NOT_ELIGIBLE, message,
                Map.of("target", target, "partition", name, "reason", reason));
    }
}
