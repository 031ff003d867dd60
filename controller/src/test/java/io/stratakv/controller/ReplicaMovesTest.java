package io.stratakv.controller;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.NodeState;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.Reassignment;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.stratakv.controller.ControllerTesting.await;
import static io.stratakv.controller.MovesTesting.LAYOUT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replica moves, rebalancing and decommissioning on real controllers and a real ZooKeeper, with
 * fake nodes and a fake elector (FakeNodes): the protocol and its persistence are real, the
 * fencing of replicas and their catch-up are simulated.
 */
class ReplicaMovesTest {

    private static final long LONG = 20_000;

    private TestingServer zk;
    private CuratorFramework observer;
    private final List<DropwizardTestSupport<ControllerConfiguration>> controllers = new ArrayList<>();
    /** Every version of partition default/0 the observer saw (watches may coalesce, never reorder). */
    private final List<PartitionRecord> seen = new CopyOnWriteArrayList<>();
    private CuratorCache cache;

    @BeforeEach
    void start() throws Exception {
        FakeNodes.reset();
        zk = new TestingServer(true);
        observer = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        observer.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (cache != null) {
            cache.close();
        }
        for (DropwizardTestSupport<?> s : controllers) {
            try {
                s.after();
            } catch (Exception ignored) {
                // already stopped
            }
        }
        observer.close();
        zk.close();
    }

    private DropwizardTestSupport<ControllerConfiguration> startController(String id, int partitions, ConfigOverride... extra)
            throws Exception {
        DropwizardTestSupport<ControllerConfiguration> s = MovesTesting.controller(zk.getConnectString(), id, partitions, extra);
        s.before();
        controllers.add(s);
        return s;
    }

    private static ControllerApplication app(DropwizardTestSupport<ControllerConfiguration> s) {
        return s.getApplication();
    }

    private DropwizardTestSupport<ControllerConfiguration> active() {
        return controllers.stream().filter(s -> {
            try {
                return app(s).leadership().isActing();
            } catch (RuntimeException e) {
                return false;
            }
        }).findFirst().orElse(null);
    }

    private PartitionRecord partition(int pid) throws Exception {
        return ZkCodec.read(observer, LAYOUT.partition("default", pid), PartitionRecord.class).orElseThrow().value();
    }

    private Versioned<NodeRegistration> node(String id) throws Exception {
        return ZkCodec.read(observer, LAYOUT.registeredNode(id), NodeRegistration.class).orElseThrow();
    }

    private List<PartitionRecord> partitions() throws Exception {
        List<PartitionRecord> out = new ArrayList<>();
        for (String pid : observer.getChildren().forPath(LAYOUT.partitions("default"))) {
            out.add(partition(Integer.parseInt(pid)));
        }
        return out;
    }

    private void watchPartitionZero() {
        cache = CuratorCache.build(observer, LAYOUT.partition("default", 0));
        cache.listenable().addListener((type, oldData, data) -> {
            if (data != null && data.getData() != null && data.getData().length > 0) {
                seen.add(ZkCodec.decode(data.getData(), PartitionRecord.class, data.getPath()));
            }
        });
        cache.start();
    }

    private boolean quiet(String what) {
        try {
            return partitions().stream().allMatch(p -> p.state() == PartitionState.ONLINE && p.reassignment().isEmpty());
        } catch (Exception e) {
            return false;
        }
    }

    /** a, b, c in three racks hold the one partition; d (rack of c) is the spare. */
    private void fourNodesOnePartition() throws Exception {
        ControllerTesting.registerNode(observer, "a", "r1");
        ControllerTesting.registerNode(observer, "b", "r2");
        ControllerTesting.registerNode(observer, "c", "r3");
    }

    /** A node that just registered is SUSPECT until the active controller's first health poll answers. */
    private void awaitActive(String nodeId) throws InterruptedException {
        await(nodeId + " ACTIVE", LONG, () -> active() != null
                && app(active()).membership().health(nodeId) == io.stratakv.controller.core.NodeHealth.ACTIVE);
    }

    private void awaitOnline(int partitions) throws InterruptedException {
        await(partitions + " partitions online", LONG, () -> {
            try {
                return observer.checkExists().forPath(LAYOUT.partitions("default")) != null
                        && partitions().size() == partitions && quiet("online");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void decommissionMovesEachReplicaThroughLearnerThenFourVotersThenThreeAndEndsRemoved() throws Exception {
        fourNodesOnePartition();
        startController("ctl-a", 1);
        awaitOnline(1);
        ControllerTesting.registerNode(observer, "d", "r3");
        awaitActive("d");
        watchPartitionZero();
        PartitionRecord start = partition(0);
        assertThat(start.replicas()).containsExactlyInAnyOrder("a", "b", "c");

        MovesTesting.Reply r = MovesTesting.post(active(), "/admin/v1/nodes/c/decommission");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(node("c").value().state()).isEqualTo(NodeState.DECOMMISSIONING);

        await("c is REMOVED and the move cleared", LONG, () -> {
            try {
                return node("c").value().state() == NodeState.REMOVED && quiet("done");
            } catch (Exception e) {
                return false;
            }
        });
        PartitionRecord end = partition(0);
        assertThat(end.replicas()).containsExactlyInAnyOrder("a", "b", "d");
        assertThat(end.learners()).isEmpty();
        assertThat(end.reassignment()).isEmpty();

        // The voter sets the elector published, in order: {a,b,c} -> {a,b,c,d} -> {a,b,d}
        // (plus, if c led, a leadership transfer at {a,b,c,d} between them).
        List<Set<String>> voterSets = new ArrayList<>();
        for (PartitionRecord p : MovesTesting.electionsOf("default", 0)) {
            Set<String> v = new HashSet<>(p.replicas());
            if (voterSets.isEmpty() || !voterSets.get(voterSets.size() - 1).equals(v)) {
                voterSets.add(v);
            }
        }
        assertThat(voterSets).containsExactly(Set.of("a", "b", "c"), Set.of("a", "b", "c", "d"), Set.of("a", "b", "d"));
        MovesTesting.assertSafeVoterChanges(FakeNodes.ELECTIONS);
        // Every version the observer saw is one of the allowed stages, epochs never go back.
        assertThat(seen).isNotEmpty();
        long epoch = 0;
        for (PartitionRecord p : seen) {
            assertThat(Set.of(Set.of("a", "b", "c"), Set.of("a", "b", "c", "d"), Set.of("a", "b", "d")))
                    .contains(new HashSet<>(p.replicas()));
            assertThat(p.leaderEpoch()).isGreaterThanOrEqualTo(epoch);
            epoch = p.leaderEpoch();
        }
        assertThat(seen).anyMatch(p -> p.learners().equals(List.of("d")) && new HashSet<>(p.replicas()).equals(Set.of("a", "b", "c")));
        Counter completed = active().getEnvironment().metrics().counter("controller.moves.completed");
        assertThat(completed.getCount()).isEqualTo(1);
    }

    @Test
    void aMoveSurvivesControllerFailoverMidWayAndIsNotRestarted() throws Exception {
        fourNodesOnePartition();
        startController("ctl-a", 1);
        startController("ctl-b", 1);
        awaitOnline(1);
        ControllerTesting.registerNode(observer, "d", "r3");
        awaitActive("d");
        watchPartitionZero();
        FakeNodes.learnersCatchUp.set(false);
        assertThat(MovesTesting.post(active(), "/admin/v1/nodes/c/decommission").status()).isEqualTo(202);
        await("d is a learner", LONG, () -> {
            try {
                return partition(0).learners().contains("d");
            } catch (Exception e) {
                return false;
            }
        });
        PartitionRecord midway = partition(0);
        DropwizardTestSupport<ControllerConfiguration> first = active();
        first.after();
        controllers.remove(first);
        await("the other controller is active", LONG, () -> active() != null);
        // The new controller keeps the learner and the goal while the learner catches up.
        for (int i = 0; i < 3; i++) {
            app(active()).loop().runOnce();
        }
        PartitionRecord resumed = partition(0);
        assertThat(resumed.learners()).containsExactly("d");
        assertThat(resumed.replicas()).isEqualTo(midway.replicas());
        assertThat(resumed.reassignment()).isEqualTo(midway.reassignment());

        FakeNodes.learnersCatchUp.set(true);
        await("the move completes", LONG, () -> quiet("done"));
        assertThat(partition(0).replicas()).containsExactlyInAnyOrder("a", "b", "d");
        MovesTesting.assertSafeVoterChanges(FakeNodes.ELECTIONS);
        // Never started over: once d was a learner, every later version keeps d as learner or voter.
        int from = 0;
        while (from < seen.size() && !seen.get(from).learners().contains("d")) {
            from++;
        }
        assertThat(seen.subList(from, seen.size()))
                .allMatch(p -> p.learners().contains("d") || p.replicas().contains("d"));
        assertThat(seen.subList(from, seen.size())).allMatch(p -> p.reassignment().isEmpty()
                || p.reassignment().equals(midway.reassignment()));
    }

    @Test
    void aSessionExpiryInTheMiddleOfAMoveDoesNotBreakIt() throws Exception {
        fourNodesOnePartition();
        startController("ctl-a", 1);
        awaitOnline(1);
        ControllerTesting.registerNode(observer, "d", "r3");
        awaitActive("d");
        FakeNodes.learnersCatchUp.set(false);
        assertThat(MovesTesting.post(active(), "/admin/v1/nodes/c/decommission").status()).isEqualTo(202);
        await("d is a learner", LONG, () -> {
            try {
                return partition(0).learners().contains("d");
            } catch (Exception e) {
                return false;
            }
        });
        DropwizardTestSupport<ControllerConfiguration> ctl = active();
        long sessionBefore = app(ctl).curator().getZookeeperClient().getZooKeeper().getSessionId();
        app(ctl).curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        FakeNodes.learnersCatchUp.set(true);
        await("active again in a new session", LONG, () -> {
            try {
                return app(ctl).leadership().isActing()
                        && app(ctl).curator().getZookeeperClient().getZooKeeper().getSessionId() != sessionBefore;
            } catch (Exception e) {
                return false;
            }
        });
        await("the move completes and c is REMOVED", LONG, () -> {
            try {
                return quiet("done") && node("c").value().state() == NodeState.REMOVED;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(partition(0).replicas()).containsExactlyInAnyOrder("a", "b", "d");
        MovesTesting.assertSafeVoterChanges(FakeNodes.ELECTIONS);
    }

    @Test
    void aJoiningNodeDrawsReplicasWithNeverMoreThanMaxMovesInFlight() throws Exception {
        ControllerTesting.registerNode(observer, "a", "r1");
        ControllerTesting.registerNode(observer, "b", "r2");
        ControllerTesting.registerNode(observer, "c", "r3");
        DropwizardTestSupport<ControllerConfiguration> ctl = startController("ctl-a", 6,
                ConfigOverride.config("moves.maxMovesInFlight", "2"));
        awaitOnline(6);
        FakeNodes.learnersCatchUp.set(false);
        ControllerTesting.registerNode(observer, "d", "r4");
        await("two moves in flight", LONG, () -> inFlight() == 2);
        for (int i = 0; i < 5; i++) {
            app(ctl).loop().runOnce();
            assertThat(inFlight()).isEqualTo(2);
        }
        MovesTesting.Reply moves = MovesTesting.get(ctl, "/admin/v1/moves");
        assertThat(moves.status()).isEqualTo(200);
        assertThat(moves.body()).contains("\"maxMovesInFlight\":2").contains("\"targetReplicas\"");
        @SuppressWarnings("unchecked")
        Gauge<Integer> gauge = (Gauge<Integer>) ctl.getEnvironment().metrics().getGauges().get("controller.moves.in_flight");
        assertThat(gauge.getValue()).isEqualTo(2);

        List<Integer> observed = new CopyOnWriteArrayList<>();
        FakeNodes.learnersCatchUp.set(true);
        await("balanced: every node within one and nothing in flight", LONG, () -> {
            int n = inFlight();
            observed.add(n);
            try {
                Map<String, Integer> counts = new HashMap<>(Map.of("a", 0, "b", 0, "c", 0, "d", 0));
                partitions().forEach(p -> p.replicas().forEach(r -> counts.merge(r, 1, Integer::sum)));
                int max = counts.values().stream().max(Integer::compare).orElseThrow();
                int min = counts.values().stream().min(Integer::compare).orElseThrow();
                return n == 0 && max - min <= 1 && quiet("done");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(observed).allMatch(n -> n <= 2);
        long moved = partitions().stream().filter(p -> p.replicas().contains("d")).count();
        assertThat(moved).isEqualTo(4); // 18 replicas over 4 nodes: d takes 4, the minimum
        assertThat(ctl.getEnvironment().metrics().counter("controller.moves.completed").getCount()).isEqualTo(4);
        MovesTesting.assertSafeVoterChanges(FakeNodes.ELECTIONS);
    }

    private int inFlight() {
        try {
            return (int) partitions().stream().filter(p -> p.reassignment().isPresent()).count();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void aNodeDownPastReplaceDownNodeAfterIsReplaced() throws Exception {
        fourNodesOnePartition();
        CuratorFramework cNode = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        startController("ctl-a", 1, ConfigOverride.config("moves.replaceDownNodeAfter", "1s"));
        awaitOnline(1);
        ControllerTesting.registerNode(observer, "d", "r3");
        observer.delete().forPath(LAYOUT.liveNode("c")); // c's process is gone
        await("c replaced by d", LONG, () -> {
            try {
                return partition(0).replicas().containsAll(List.of("a", "b", "d")) && quiet("done");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(node("c").value().state()).as("a down node is replaced, not removed").isEqualTo(NodeState.ACTIVE);
        MovesTesting.assertSafeVoterChanges(FakeNodes.ELECTIONS);
        cNode.close();
    }

    @Test
    void decommissionRefusedWithTooFewNodesAndUnknownOrBadNodes() throws Exception {
        fourNodesOnePartition();
        DropwizardTestSupport<ControllerConfiguration> ctl = startController("ctl-a", 1);
        awaitOnline(1);
        Map<String, String> before = MovesTesting.snapshot(observer);

        MovesTesting.Reply tooFew = MovesTesting.post(ctl, "/admin/v1/nodes/a/decommission");
        assertThat(tooFew.status()).isEqualTo(409);
        assertThat(tooFew.body()).contains("\"code\":\"NOT_ENOUGH_NODES\"");
        MovesTesting.Reply unknown = MovesTesting.post(ctl, "/admin/v1/nodes/zz/decommission");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"code\":\"NODE_NOT_FOUND\"");
        MovesTesting.Reply bad = MovesTesting.post(ctl, "/admin/v1/nodes/Bad!/decommission");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("\"code\":\"INVALID_NODE_ID\"");

        app(ctl).loop().runOnce();
        assertThat(MovesTesting.snapshot(observer)).isEqualTo(before);
    }

    /**
     * Ownership of planned leader changes (ElectionTask's class comment): while a partition has a
     * reassignment, only the mover moves its leadership, by a planned transfer to a voter the move
     * keeps. Before the two were wired together the election task also moved a DECOMMISSIONING
     * leader of a moving partition on every pass it saw one, possibly to a voter the move was
     * about to remove.
     */
    @Test
    void aMovingPartitionsDecommissioningLeaderIsHandedOverByTheMoveNotByTheElectionTask() throws Exception {
        fourNodesOnePartition();
        DropwizardTestSupport<ControllerConfiguration> ctl = startController("ctl-a", 1,
                ConfigOverride.config("leaderBalancing", "false"));
        awaitOnline(1);
        ControllerTesting.registerNode(observer, "d", "r3");
        awaitActive("d");
        MovesTesting.Reply toC = MovesTesting.postJson(ctl, "/admin/v1/partitions/default/0/transfer-leader",
                "{\"target\":\"c\"}");
        assertThat(toC.status()).as(toC.body()).isEqualTo(200);
        FakeNodes.learnersCatchUp.set(false);
        FakeNodes.TRANSFERS.clear();

        // The state a move can be in when its leader's node starts draining: a reassignment that
        // removes c (as an earlier pass or controller wrote it), c still leading, then c DECOMMISSIONING.
        Versioned<PartitionRecord> p = ZkCodec.read(observer, LAYOUT.partition("default", 0), PartitionRecord.class)
                .orElseThrow();
        assertThat(p.value().leader()).contains("c");
        long controllerEpoch = app(ctl).leadership().fence().epoch();
        PartitionRecord moving = p.value().withReassignment(Optional.of(new Reassignment(List.of("a", "b", "d"),
                java.time.Instant.now())), controllerEpoch);
        observer.setData().withVersion(p.version()).forPath(LAYOUT.partition("default", 0), ZkCodec.encode(moving));
        await("d is a learner", LONG, () -> {
            try {
                return partition(0).learners().contains("d");
            } catch (Exception e) {
                return false;
            }
        });
        Versioned<NodeRegistration> c = node("c");
        observer.setData().withVersion(c.version()).forPath(LAYOUT.registeredNode("c"),
                ZkCodec.encode(c.value().withState(NodeState.DECOMMISSIONING)));
        await("membership sees c DECOMMISSIONING", LONG,
                () -> app(ctl).membership().health("c") == io.stratakv.controller.core.NodeHealth.DECOMMISSIONING);
        int electionsBefore = FakeNodes.ELECTIONS.size();
        for (int i = 0; i < 5; i++) {
            app(ctl).loop().runOnce();
        }
        assertThat(partition(0).leader()).as("the election task leaves a moving partition to the mover").contains("c");
        assertThat(FakeNodes.TRANSFERS).isEmpty();
        assertThat(FakeNodes.ELECTIONS).hasSize(electionsBefore);

        FakeNodes.learnersCatchUp.set(true);
        await("c is REMOVED and the move done", LONG, () -> {
            try {
                return node("c").value().state() == NodeState.REMOVED && quiet("done");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(partition(0).replicas()).containsExactlyInAnyOrder("a", "b", "d");
        assertThat(FakeNodes.TRANSFERS).as("one planned hand-over, to a voter the move keeps").hasSize(1);
        assertThat(FakeNodes.TRANSFERS.get(0).targetNodeId()).isIn("a", "b");
        MovesTesting.assertSafeVoterChanges(FakeNodes.ELECTIONS);
    }
}
