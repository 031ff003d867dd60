package io.stratakv.controller;

import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.Elector;
import io.stratakv.controller.core.NodeClient;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.FenceRequest;
import io.stratakv.zk.contract.FenceResponse;
import io.stratakv.zk.contract.NodeStatus;
import io.stratakv.zk.contract.PartitionStatus;
import io.stratakv.zk.contract.ReplicaRole;
import io.stratakv.zk.contract.TransferLeadershipRequest;
import io.stratakv.zk.contract.TransferLeadershipResponse;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedWrite;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.PartitionRecord;
import org.apache.curator.framework.CuratorFramework;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Test fakes for the controller's elector and node client hooks, shared by every controller of a test
 * (static: DropwizardTestSupport builds the application itself). The elector fences nothing: it
 * records the new epoch (ELECTING) and publishes the preferred voter, else the first, as leader,
 * each with a fenced compare-and-set, and logs every voter change. The node client answers status
 * from the partition records: leaders and followers at offset 100, learners at 100 once
 * {@link #learnersCatchUp} is true, else at 10.
 */
final class FakeNodes {

    /** One call of the elector: the record before, and what it published (ELECTING, then ONLINE). */
    record Election(PartitionRecord before, PartitionRecord electing, PartitionRecord online) {
    }

    static final List<Election> ELECTIONS = new CopyOnWriteArrayList<>();
    /** Every planned transfer a leader was asked to prepare. */
    static final List<TransferLeadershipRequest> TRANSFERS = new CopyOnWriteArrayList<>();
    static final AtomicBoolean learnersCatchUp = new AtomicBoolean(true);
    static final long END = 100;
    /** Nodes whose replicas of SPLITTING partitions report that they split (at {@link #SPLIT_AT}). */
    static final java.util.Set<String> SPLIT_REPORTERS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final long SPLIT_AT = 50;
    /** Bytes the replicas of "keyspace/pid" report (absent: 0). */
    static final java.util.Map<String, Long> SIZES = new java.util.concurrent.ConcurrentHashMap<>();

    private FakeNodes() {
    }

    static void reset() {
        ELECTIONS.clear();
        TRANSFERS.clear();
        learnersCatchUp.set(true);
        SPLIT_REPORTERS.clear();
        SIZES.clear();
    }

    static final class FakeElector implements Elector {
        private final CuratorFramework client;
        private final ZkLayout layout;

        FakeElector(CuratorFramework client, ZkLayout layout) {
            this.client = client;
            this.layout = layout;
        }

        @Override
        public Versioned<PartitionRecord> elect(ControllerFence fence, Versioned<PartitionRecord> partition,
                                                List<String> voters, List<String> learners,
                                                Optional<String> preferred) throws Exception {
            PartitionRecord p = partition.value();
            String path = layout.partition(p.keyspace(), p.partitionId());
            PartitionRecord electing = p.electing(voters, learners, fence.epoch());
            int v = FencedWrite.begin(client, fence).update(path, electing, partition.version()).commit().version(path);
            PartitionRecord online = electing.online(preferred.filter(voters::contains).orElse(voters.get(0)), fence.epoch());
            int v2 = FencedWrite.begin(client, fence).update(path, online, v).commit().version(path);
            ELECTIONS.add(new Election(p, electing, online));
            return new Versioned<>(online, v2);
        }
    }

    static final class FakeNodeClient implements NodeClient {
        private final CuratorFramework client;
        private final ZkLayout layout;

        FakeNodeClient(CuratorFramework client, ZkLayout layout) {
            this.client = client;
            this.layout = layout;
        }

        @Override
        public FenceResponse fence(NodeRegistration node, FenceRequest request) {
            throw new UnsupportedOperationException("moves never fence directly");
        }

        @Override
        public NodeStatus status(NodeRegistration node) throws Exception {
            List<PartitionStatus> out = new ArrayList<>();
            for (Versioned<PartitionRecord> vp : ClusterView.read(client, layout).allPartitions()) {
                PartitionRecord p = vp.value();
                String id = node.nodeId();
                java.util.OptionalLong splitAt = p.state() == io.stratakv.zk.records.PartitionState.SPLITTING
                        && SPLIT_REPORTERS.contains(id) ? java.util.OptionalLong.of(SPLIT_AT) : java.util.OptionalLong.empty();
                long size = SIZES.getOrDefault(p.keyspace() + "/" + p.partitionId(), 0L);
                if (p.leader().map(id::equals).orElse(false)) {
                    out.add(status(p, ReplicaRole.LEADER, END, size, splitAt));
                } else if (p.replicas().contains(id)) {
                    out.add(status(p, ReplicaRole.FOLLOWER, END, size, splitAt));
                } else if (p.learners().contains(id)) {
                    out.add(status(p, ReplicaRole.LEARNER, learnersCatchUp.get() ? END : 10));
                }
            }
            return new NodeStatus(node.nodeId(), 1, out);
        }

        private static PartitionStatus status(PartitionRecord p, ReplicaRole role, long end) {
            return status(p, role, end, 0, java.util.OptionalLong.empty());
        }

        private static PartitionStatus status(PartitionRecord p, ReplicaRole role, long end, long size,
                                              java.util.OptionalLong splitAt) {
            return new PartitionStatus(p.keyspace(), p.partitionId(), role, p.leaderEpoch(), 0, end, end, end, END - end,
                    size, splitAt);
        }

        @Override
        public boolean healthy(NodeRegistration node) {
            return true;
        }

        /** The leader says every target caught up (followers here are always at the leader's end). */
        @Override
        public TransferLeadershipResponse transferLeadership(NodeRegistration leader, TransferLeadershipRequest request) {
            TRANSFERS.add(request);
            return new TransferLeadershipResponse(leader.nodeId(), request.keyspace(), request.partitionId(),
                    request.epoch(), END, true);
        }
    }
}
