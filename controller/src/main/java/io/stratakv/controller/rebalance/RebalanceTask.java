package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.ControlLoop;
import io.stratakv.controller.core.NodeHealth;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedOutException;
import io.stratakv.zk.fence.FencedWrite;
import io.stratakv.zk.fence.FencedWriteException;
import io.stratakv.zk.records.KeyspaceState;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.NodeState;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.Reassignment;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides moves: on every pass, plans with {@link RebalancePlanner} over the fresh view and writes
 * the new targets as reassignments (fenced compare-and-set per partition), keeping at most
 * {@code maxMovesInFlight} reassignments at once. A plan is non-empty exactly when a node joined
 * (an empty ACTIVE node puts counts more than one apart), a node left (DECOMMISSIONING, REMOVED,
 * or DOWN past {@code replaceDownNodeAfter}) or the counts are otherwise uneven; a balanced
 * cluster gets no writes. Also finishes decommissioning: a DECOMMISSIONING node that holds no
 * replica, learner or pending target becomes REMOVED. Runs on the control-loop thread only.
 */
public final class RebalanceTask implements ControlLoop.Task {

    private static final Logger LOG = LoggerFactory.getLogger(RebalanceTask.class);
    private static final String DEFAULT_RACK = "default-rack"; // as KeyspaceService's placement

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final PlanningHealth health;
    private final MovesConfiguration config;
    private final Clock clock;

    public RebalanceTask(CuratorFramework client, ZkLayout layout, PlanningHealth health, MovesConfiguration config,
                         Clock clock) {
        this.client = client;
        this.layout = layout;
        this.health = health;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public void run(ClusterView view, ControllerFence fence) throws Exception {
        Map<String, NodeHealth> healthNow = health.of(view);
        writeNewTargets(view, fence, healthNow);
        finishDecommissions(view, fence);
    }

    /** The partitions moves consider: those of ACTIVE keyspaces, not retired by a split. */
    static List<Versioned<PartitionRecord>> movablePartitions(ClusterView view) {
        List<Versioned<PartitionRecord>> out = new ArrayList<>();
        view.keyspaces().forEach((name, ks) -> {
            if (ks.value().state() == KeyspaceState.ACTIVE) {
                view.partitionsOf(name).stream().filter(p -> p.value().state() != PartitionState.RETIRED).forEach(out::add);
            }
        });
        return out;
    }

    private void writeNewTargets(ClusterView view, ControllerFence fence, Map<String, NodeHealth> healthNow)
            throws Exception {
        List<Versioned<PartitionRecord>> partitions = movablePartitions(view);
        long inFlight = view.allPartitions().stream().filter(p -> p.value().reassignment().isPresent()).count();
        int room = (int) Math.max(0, config.getMaxMovesInFlight() - inFlight);
        if (room == 0) {
            return;
        }
        Map<String, Versioned<PartitionRecord>> byId = new HashMap<>();
        List<RebalancePlanner.Partition> input = new ArrayList<>();
        for (Versioned<PartitionRecord> vp : partitions) {
            PartitionRecord p = vp.value();
            String id = p.keyspace() + "/" + p.partitionId();
            byId.put(id, vp);
            input.add(new RebalancePlanner.Partition(id, p.replicas(), p.learners(), p.leader(),
                    p.reassignment().map(Reassignment::targetReplicas),
                    p.state() == PartitionState.ONLINE && p.split().isEmpty()));
        }
        List<RebalancePlanner.Node> nodes = new ArrayList<>();
        healthNow.forEach((id, h) -> nodes.add(new RebalancePlanner.Node(id,
                view.registered().get(id).value().rack().orElse(DEFAULT_RACK), h)));
        RebalancePlanner.Plan plan = RebalancePlanner.plan(input, nodes, room);
        for (Map.Entry<String, List<String>> e : plan.targets().entrySet()) {
            Versioned<PartitionRecord> vp = byId.get(e.getKey());
            PartitionRecord p = vp.value();
            try {
                FencedWrite.begin(client, fence).update(layout.partition(p.keyspace(), p.partitionId()),
                        p.withReassignment(Optional.of(new Reassignment(e.getValue(), clock.instant())), fence.epoch()),
                        vp.version()).commit();
                LOG.info("move of {} planned: voters {} -> {}", e.getKey(), p.replicas(), e.getValue());
            } catch (FencedOutException ex) {
                throw ex;
            } catch (FencedWriteException ex) {
                LOG.info("move of {} not written: {} (next pass replans)", e.getKey(), ex.toString());
            }
        }
    }

    private void finishDecommissions(ClusterView view, ControllerFence fence) throws Exception {
        for (Versioned<NodeRegistration> reg : view.registered().values()) {
            String id = reg.value().nodeId();
            if (reg.value().state() != NodeState.DECOMMISSIONING || holdsAnything(view, id)) {
                continue;
            }
            try {
                FencedWrite.begin(client, fence).update(layout.registeredNode(id),
                        reg.value().withState(NodeState.REMOVED), reg.version()).commit();
                LOG.info("node {} drained: REMOVED", id);
            } catch (FencedOutException ex) {
                throw ex;
            } catch (FencedWriteException ex) {
                LOG.info("node {} not marked REMOVED yet: {}", id, ex.toString());
            }
        }
    }

    /** Whether any live partition names the node as voter, learner or move target. */
    static boolean holdsAnything(ClusterView view, String nodeId) {
        for (Versioned<PartitionRecord> vp : view.allPartitions()) {
            PartitionRecord p = vp.value();
            if (p.state() == PartitionState.RETIRED) {
                continue;
            }
            if (p.replicas().contains(nodeId) || p.learners().contains(nodeId)
                    || p.reassignment().map(r -> r.targetReplicas().contains(nodeId)).orElse(false)) {
                return true;
            }
        }
        return false;
    }
}
