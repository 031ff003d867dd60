package io.stratakv.controller.election;

import io.stratakv.controller.core.AdminException;
import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.ControlLoop;
import io.stratakv.controller.core.ControllerLeadership;
import io.stratakv.controller.core.Elector;
import io.stratakv.controller.core.NodeHealth;
import io.stratakv.controller.membership.Membership;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.contract.NodeStatus;
import io.stratakv.zk.contract.PartitionStatus;
import io.stratakv.zk.contract.ReplicaRole;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedOutException;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The election duty of the control loop, run on every pass with a fresh view:
 * <ul>
 *   <li>elect a leader for every partition that has none (OFFLINE, or ELECTING — an election this
 *       or a previous controller left unfinished, resumed at a higher epoch), and for every ONLINE
 *       or SPLITTING partition whose leader's node is DOWN, not live, REMOVED, no longer
 *       registered, or reports (in its last status) that it stepped down at the current epoch;</li>
 *   <li>move leadership off a live DECOMMISSIONING node by a planned transfer;</li>
 *   <li>leader balancing (when enabled): hand leadership back to the preferred replica
 *       ({@code replicas[0]}) when it is ACTIVE and its last status says it follows the current
 *       epoch with no lag; at most {@code maxLeaderTransfersPerPass} planned transfers (balancing
 *       and decommissioning together) per pass, and a partition whose transfer failed waits
 *       {@code leaderBalancingBackoff} before the next try.</li>
 * </ul>
 * Also keeps the partition counts behind the offline and under-replicated gauges. Runs only on the
 * control-loop thread.
 *
 * <p>Who changes a partition, when both this task and the moves work (rebalance.ReplicaMover)
 * could. The loop runs membership, then this task, then moves, each on a fresh read, so they
 * never act on a stale version in one pass; the split of duties keeps them from undoing each other:
 * <ul>
 *   <li>No leader, or a dead/removed/stepped-down leader: this task, always (an election with no
 *       preference). A move waits while its partition is not ONLINE.</li>
 *   <li>Planned leader changes of a partition with a reassignment in flight (moving leadership off
 *       a voter about to be removed, which includes a DECOMMISSIONING node being drained): the
 *       mover only, by the same planned transfer (LeaderHandover) to a voter the move keeps. This
 *       task neither balances such a partition nor moves its leader off a DECOMMISSIONING node: it
 *       might pick a voter the move is about to remove, or hand leadership back to a node the move
 *       just took it from.</li>
 *   <li>Planned leader changes of a partition without a reassignment: this task (a live
 *       DECOMMISSIONING leader hands over at once, even while moves are throttled by
 *       maxMovesInFlight; then balancing).</li>
 * </ul>
 * Neither prefers a DECOMMISSIONING node: the elector picks one only when it is the sole most
 * up-to-date voter, and the owner above then hands leadership over again.
 */
public final class ElectionTask implements ControlLoop.Task {

    private static final Logger LOG = LoggerFactory.getLogger(ElectionTask.class);

    /** Why a partition needs an election now. */
    enum Trigger { NO_LEADER, LEADER_NOT_REGISTERED, LEADER_NOT_LIVE, LEADER_DOWN, LEADER_REMOVED, LEADER_STEPPED_DOWN }

    private final Elector elector;
    private final LeaderTransfers transfers;
    private final Membership membership;
    private final ControllerLeadership leadership;
    private final boolean balancing;
    private final int maxTransfersPerPass;
    private final Duration backoff;
    private final Clock clock;
    private final Map<String, Instant> transferFailedAt = new ConcurrentHashMap<>();
    private volatile long offline;
    private volatile long underReplicated;

    public ElectionTask(Elector elector, LeaderTransfers transfers, Membership membership,
                        ControllerLeadership leadership, boolean balancing, int maxTransfersPerPass, Duration backoff,
                        Clock clock) {
        this.elector = elector;
        this.transfers = transfers;
        this.membership = membership;
        this.leadership = leadership;
        this.balancing = balancing;
        this.maxTransfersPerPass = maxTransfersPerPass;
        this.backoff = backoff;
        this.clock = clock;
    }

    /** Partitions without a leader (OFFLINE or ELECTING) at the last pass; 0 when not active. */
    public long offlinePartitions() {
        return leadership.isActing() ? offline : 0;
    }

    /** Partitions with fewer ACTIVE voters than their keyspace's replication factor at the last pass; 0 when not active. */
    public long underReplicatedPartitions() {
        return leadership.isActing() ? underReplicated : 0;
    }

    @Override
    public void run(ClusterView view, ControllerFence fence) throws Exception {
        int transfersLeft = maxTransfersPerPass;
        for (Versioned<PartitionRecord> p : view.allPartitions()) {
            if (!leadership.isActing()) {
                return;
            }
            PartitionRecord r = p.value();
            String name = r.keyspace() + "/" + r.partitionId();
            try {
                Optional<Trigger> trigger = trigger(r, view);
                if (trigger.isPresent()) {
                    LOG.info("partition {}: election needed ({}; state {}, leader {}, epoch {})", name, trigger.get(),
                            r.state(), r.leader().orElse("none"), r.leaderEpoch());
                    elector.elect(fence, p, r.replicas(), r.learners(), Optional.empty());
                    continue;
                }
                if (transfersLeft > 0) {
                    Optional<String> target = transferTarget(r);
                    if (target.isPresent() && !backingOff(name)) {
                        transfersLeft--;
                        try {
                            transfers.transfer(fence, p, target.get());
                            transferFailedAt.remove(name);
                        } catch (AdminException e) {
                            transferFailedAt.put(name, clock.instant());
                            LOG.info("partition {}: planned transfer to {} not done: {}", name, target.get(), e.getMessage());
                        }
                    }
                }
            } catch (FencedOutException e) {
                return; // the elector told leadership; this term is over
            } catch (Exception e) {
                LOG.warn("partition {}: election step failed (retried next pass): {}", name, e.toString());
            }
        }
        count(view);
    }

    Optional<Trigger> trigger(PartitionRecord r, ClusterView view) {
        if (r.state() == PartitionState.OFFLINE || r.state() == PartitionState.ELECTING) {
            return Optional.of(Trigger.NO_LEADER);
        }
        if (!r.state().hasLeader()) {
            return Optional.empty(); // RETIRED
        }
        String leader = r.leader().orElseThrow();
        if (!view.registered().containsKey(leader)) {
            return Optional.of(Trigger.LEADER_NOT_REGISTERED);
        }
        if (!view.live().containsKey(leader)) {
            return Optional.of(Trigger.LEADER_NOT_LIVE);
        }
        NodeHealth h = membership.health(leader);
        if (h == NodeHealth.DOWN) {
            return Optional.of(Trigger.LEADER_DOWN);
        }
        if (h == NodeHealth.REMOVED) {
            return Optional.of(Trigger.LEADER_REMOVED);
        }
        if (steppedDown(r, leader)) {
            return Optional.of(Trigger.LEADER_STEPPED_DOWN);
        }
        return Optional.empty();
    }

    /**
     * The leader's last status says it is a follower (or stopped) at the very epoch it was
     * published for. (FENCED at that epoch is normal until it reads ZooKeeper, so not counted.)
     */
    private boolean steppedDown(PartitionRecord r, String leader) {
        return replicaStatus(leader, r).filter(s -> s.epoch() == r.leaderEpoch()
                && (s.role() == ReplicaRole.FOLLOWER || s.role() == ReplicaRole.LEARNER
                || s.role() == ReplicaRole.STOPPED)).isPresent();
    }

    private Optional<PartitionStatus> replicaStatus(String node, PartitionRecord r) {
        Optional<NodeStatus> status = membership.lastStatus(node);
        return status.flatMap(s -> s.partitions().stream()
                .filter(ps -> ps.keyspace().equals(r.keyspace()) && ps.partitionId() == r.partitionId()).findFirst());
    }

    /** Where a planned transfer should move leadership now, if anywhere. */
    private Optional<String> transferTarget(PartitionRecord r) {
        if (r.state() != PartitionState.ONLINE || r.reassignment().isPresent()) {
            return Optional.empty(); // a moving partition's planned leader changes belong to ReplicaMover
        }
        String leader = r.leader().orElseThrow();
        if (membership.health(leader) == NodeHealth.DECOMMISSIONING) {
            return r.replicas().stream().filter(v -> !v.equals(leader))
                    .filter(v -> membership.health(v) == NodeHealth.ACTIVE)
                    .filter(v -> caughtUp(v, r))
                    .findFirst();
        }
        if (!balancing) {
            return Optional.empty();
        }
        String preferred = r.replicas().get(0);
        if (!preferred.equals(leader) && membership.health(preferred) == NodeHealth.ACTIVE && caughtUp(preferred, r)) {
            return Optional.of(preferred);
        }
        return Optional.empty();
    }

    /** The node's last status says it follows the current epoch and had no lag (the leader rechecks). */
    private boolean caughtUp(String node, PartitionRecord r) {
        return replicaStatus(node, r).filter(s -> s.epoch() == r.leaderEpoch() && s.role() == ReplicaRole.FOLLOWER
                && s.lagRecords() == 0).isPresent();
    }

    private boolean backingOff(String name) {
        Instant failed = transferFailedAt.get(name);
        return failed != null && Duration.between(failed, clock.instant()).compareTo(backoff) < 0;
    }

    private void count(ClusterView view) {
        long off = 0;
        long under = 0;
        for (Map.Entry<String, Versioned<KeyspaceRecord>> ks : view.keyspaces().entrySet()) {
            int rf = ks.getValue().value().replicationFactor();
            for (Versioned<PartitionRecord> p : view.partitionsOf(ks.getKey())) {
                PartitionRecord r = p.value();
                if (r.state() == PartitionState.RETIRED) {
                    continue;
                }
                if (!r.state().hasLeader()) {
                    off++;
                }
                long active = r.replicas().stream().filter(v -> membership.health(v) == NodeHealth.ACTIVE).count();
                if (active < rf) {
                    under++;
                }
            }
        }
        offline = off;
        underReplicated = under;
    }
}
