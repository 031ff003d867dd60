package io.stratakv.controller.rebalance;

import com.codahale.metrics.Counter;
import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.ControlLoop;
import io.stratakv.controller.core.AdminException;
import io.stratakv.controller.core.Elector;
import io.stratakv.controller.core.LeaderHandover;
import io.stratakv.controller.core.NodeClient;
import io.stratakv.controller.core.NodeHealth;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.NodeStatus;
import io.stratakv.zk.contract.PartitionStatus;
import io.stratakv.zk.contract.ReplicaRole;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedOutException;
import io.stratakv.zk.fence.FencedWrite;
import io.stratakv.zk.fence.FencedWriteException;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.PartitionRecord;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carries out replica moves, one {@link MoveStep} per partition per control-loop pass. The move's
 * only state is the partition record in ZooKeeper (the reassignment's target plus the current
 * voters and learners), so a controller that takes over mid-move derives the same next step and
 * never starts over.
 *
 * <p>Invariants: voters change only through {@link Elector#elect} (each change a new epoch after
 * fencing), by exactly one member; leadership leaves a voter about to be removed only by a planned
 * transfer ({@link LeaderHandover}: the leader pauses writes until the successor caught up, so a
 * busy leader is not simply re-elected pass after pass). While a partition has a reassignment the
 * mover owns its planned leader changes; elections of a leaderless partition stay with the
 * election task (see election.ElectionTask); learners and the reassignment change only by a fenced
 * compare-and-set on the version read; a lost race (version conflict) is left for the next pass,
 * a fenced-out write ends the pass (the loop steps down). Runs on the control-loop thread only.
 */
public final class ReplicaMover implements ControlLoop.Task {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaMover.class);

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final Elector elector;
    private final LeaderHandover handover;
    private final NodeClient nodes;
    private final PlanningHealth health;
    private final MovesConfiguration config;
    private final Counter completed;
    private volatile int inFlight;

    public ReplicaMover(CuratorFramework client, ZkLayout layout, Elector elector, LeaderHandover handover,
                        NodeClient nodes, PlanningHealth health, MovesConfiguration config, Counter completed) {
        this.client = client;
        this.layout = layout;
        this.elector = elector;
        this.handover = handover;
        this.nodes = nodes;
        this.health = health;
        this.config = config;
        this.completed = completed;
    }

    /** Reassignments seen on the last pass. */
    public int inFlight() {
        return inFlight;
    }

    @Override
    public void run(ClusterView view, ControllerFence fence) throws Exception {
        List<Versioned<PartitionRecord>> moving = view.allPartitions().stream()
                .filter(p -> p.value().reassignment().isPresent()).toList();
        inFlight = moving.size();
        if (moving.isEmpty()) {
            return;
        }
        Map<String, NodeHealth> healthNow = health.of(view);
        for (Versioned<PartitionRecord> p : moving) {
            try {
                step(view, fence, p, healthNow);
            } catch (FencedOutException e) {
                throw e;
            } catch (FencedWriteException e) {
                LOG.info("move of {}/{}: {} (next pass rereads)", p.value().keyspace(), p.value().partitionId(), e.toString());
            } catch (Exception e) {
                LOG.warn("move of {}/{} at epoch {} failed this pass: {}", p.value().keyspace(), p.value().partitionId(),
                        p.value().leaderEpoch(), e.toString());
            }
        }
    }

    private void step(ClusterView view, ControllerFence fence, Versioned<PartitionRecord> vp,
                      Map<String, NodeHealth> healthNow) throws Exception {
        PartitionRecord p = vp.value();
        String path = layout.partition(p.keyspace(), p.partitionId());
        List<String> target = p.reassignment().orElseThrow().targetReplicas();
        Optional<String> unusable = target.stream().filter(n -> !p.replicas().contains(n))
                .filter(n -> drained(healthNow.get(n))).findFirst();
        if (unusable.isPresent()) {
            // The goal names a node that can no longer take a replica: give it up; the planner
            // replans from the current voters, which are always a valid set.
            LOG.info("move of {}/{}: target node {} is {}; abandoning target {}", p.keyspace(), p.partitionId(),
                    unusable.get(), healthNow.get(unusable.get()), target);
            commit(FencedWrite.begin(client, fence).update(path,
                    p.withLearners(List.of(), fence.epoch()).withReassignment(Optional.empty(), fence.epoch()), vp.version()));
            return;
        }
        MoveStep next = MoveStep.next(p);
        switch (next) {
            case MoveStep.None none -> {
            }
            case MoveStep.Wait w -> LOG.debug("move of {}/{} waits: {}", p.keyspace(), p.partitionId(), w.why());
            case MoveStep.DropLearners d -> commit(FencedWrite.begin(client, fence)
                    .update(path, p.withLearners(d.keep(), fence.epoch()), vp.version()));
            case MoveStep.AddLearner a -> {
                if (healthNow.get(a.node()) != NodeHealth.ACTIVE) {
                    LOG.debug("move of {}/{}: {} is {}, not adding it yet", p.keyspace(), p.partitionId(), a.node(),
                            healthNow.get(a.node()));
                    return;
                }
                List<String> learners = new java.util.ArrayList<>(p.learners());
                learners.add(a.node());
                commit(FencedWrite.begin(client, fence).update(path, p.withLearners(learners, fence.epoch()), vp.version()));
                LOG.info("move of {}/{}: {} joins as a learner at epoch {}", p.keyspace(), p.partitionId(), a.node(),
                        p.leaderEpoch());
            }
            case MoveStep.PromoteLearner pr -> {
                if (!caughtUp(view, p, pr.node())) {
                    return;
                }
                LOG.info("move of {}/{}: learner {} caught up; voters {} -> {}", p.keyspace(), p.partitionId(),
                        pr.node(), p.replicas(), pr.voters());
                elector.elect(fence, vp, pr.voters(), pr.learners(), p.leader());
            }
            case MoveStep.TransferLeadership t -> {
                LOG.info("move of {}/{}: leadership moves off {} (to {}) before it is removed", p.keyspace(),
                        p.partitionId(), t.from(), t.to());
                try {
                    handover.transfer(fence, vp, t.to());
                } catch (AdminException e) {
                    LOG.info("move of {}/{}: leadership stays on {} this pass: {}", p.keyspace(), p.partitionId(),
                            t.from(), e.getMessage());
                }
            }
            case MoveStep.RemoveVoter r -> {
                LOG.info("move of {}/{}: voters {} -> {}", p.keyspace(), p.partitionId(), p.replicas(), r.voters());
                elector.elect(fence, vp, r.voters(), p.learners(), p.leader());
            }
            case MoveStep.Complete c -> {
                commit(FencedWrite.begin(client, fence)
                        .update(path, p.withReassignment(Optional.empty(), fence.epoch()), vp.version()));
                completed.inc();
                LOG.info("move of {}/{} complete: voters {} at epoch {}", p.keyspace(), p.partitionId(), p.replicas(),
                        p.leaderEpoch());
            }
        }
    }

    static boolean drained(NodeHealth h) {
        return h == null || h == NodeHealth.DOWN || h == NodeHealth.DECOMMISSIONING || h == NodeHealth.REMOVED;
    }

    /**
     * Whether the learner may become a voter. The leader is asked before the learner, so a learner
     * whose log end reaches the leader's commit offset holds everything committed when we asked.
     * A node that does not answer, or reports another epoch or role, is not caught up.
     */
    private boolean caughtUp(ClusterView view, PartitionRecord p, String learner) {
        try {
            long leaderCommit = -1;
            if (config.getCatchUpRule() == CatchUpRule.LEADER_COMMIT_OFFSET) {
                Optional<PartitionStatus> ls = statusOf(view, p.leader().orElseThrow(), p);
                if (ls.isEmpty() || ls.get().role() != ReplicaRole.LEADER || ls.get().epoch() != p.leaderEpoch()) {
                    return false;
                }
                leaderCommit = ls.get().commitOffset();
            }
            Optional<PartitionStatus> s = statusOf(view, learner, p);
            if (s.isEmpty() || s.get().epoch() != p.leaderEpoch()
                    || (s.get().role() != ReplicaRole.LEARNER && s.get().role() != ReplicaRole.FOLLOWER)) {
                return false;
            }
            return switch (config.getCatchUpRule()) {
                case LEADER_COMMIT_OFFSET -> s.get().logEnd() + config.getLearnerMaxLagRecords() >= leaderCommit;
                case LEARNER_LAG -> s.get().lagRecords() <= config.getLearnerMaxLagRecords();
            };
        } catch (Exception e) {
            LOG.debug("catch-up check of {} for {}/{} failed: {}", learner, p.keyspace(), p.partitionId(), e.toString());
            return false;
        }
    }

    private Optional<PartitionStatus> statusOf(ClusterView view, String nodeId, PartitionRecord p) throws Exception {
        Versioned<NodeRegistration> reg = view.registered().get(nodeId);
        if (reg == null) {
            return Optional.empty();
        }
        NodeStatus status = nodes.status(reg.value());
        return status.partitions().stream()
                .filter(s -> s.keyspace().equals(p.keyspace()) && s.partitionId() == p.partitionId()).findFirst();
    }

    private static void commit(FencedWrite w) throws Exception {
        w.commit();
    }
}
