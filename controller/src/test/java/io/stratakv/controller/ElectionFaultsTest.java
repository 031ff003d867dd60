package io.stratakv.controller;

import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static io.stratakv.controller.ControllerTesting.await;
import static io.stratakv.controller.ElectionHarness.KS;
import static io.stratakv.controller.ElectionHarness.app;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults in the middle of an election: the fake nodes hold every fence request until the test
 * lets them answer, so the fault lands between "epoch recorded" and "leader published".
 */
class ElectionFaultsTest {

    /** Long enough that held fences are still pending when the fault has happened. */
    private static final String[] SLOW_NODES = {"nodeRequestTimeout", "8s"};

    private static void seedHeld(ElectionHarness h) throws Exception {
        for (String id : List.of("n1", "n2", "n3")) {
            FakeNode n = h.node(id);
            n.position(KS, 0, 2, 10);
            n.holdFences();
        }
        h.seed(3, false, h.record(0, 1, List.of("n1", "n2", "n3"), List.of(), 2, PartitionState.OFFLINE, Optional.empty()));
    }

    private static void awaitFencesArrived(ElectionHarness h, int atLeast) throws InterruptedException {
        await("fence requests reached the nodes", 10_000,
                () -> h.nodes.values().stream().allMatch(n -> n.fenceArrivals.get() >= atLeast));
    }

    private static void openFences(ElectionHarness h) {
        h.nodes.values().forEach(FakeNode::openFences);
    }

    private static void assertEpochsOnlyGrew(ElectionHarness h) {
        for (FakeNode n : h.nodes.values()) {
            assertThat(n.fencedEpochs(KS, 0)).as(n.id).isSortedAccordingTo(Long::compare);
        }
        h.assertOneLeaderPerEpoch();
    }

    @Test
    void controllerFailoverInTheMiddleOfAnElectionCompletesAtAHigherEpoch() throws Exception {
        try (TestingServer zk = new TestingServer(true); ElectionHarness h = new ElectionHarness(zk.getConnectString())) {
            seedHeld(h);
            h.startController("controller-a", SLOW_NODES);
            h.startController("controller-b", SLOW_NODES);
            DropwizardTestSupport<ControllerConfiguration> first = h.awaitActive();
            PartitionRecord electing = h.awaitPartition(0, "ELECTING at 3", 10_000,
                    r -> r.state() == PartitionState.ELECTING && r.leaderEpoch() == 3);
            awaitFencesArrived(h, 1);

            app(first).curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
            DropwizardTestSupport<ControllerConfiguration> second = h.controllers.get(0) == first
                    ? h.controllers.get(1) : h.controllers.get(0);
            await("the standby takes over", 15_000, () -> app(second).leadership().isActing());
            long newControllerEpoch = app(second).leadership().fence().epoch();
            h.awaitPartition(0, "re-recorded at epoch 4 by the new controller", 15_000,
                    r -> r.leaderEpoch() == 4 && r.controllerEpoch() == newControllerEpoch);

            openFences(h); // both controllers' fence calls are answered now, in any order
            PartitionRecord p = h.awaitPartition(0, "ONLINE", 20_000, r -> r.state() == PartitionState.ONLINE);
            assertThat(p.leaderEpoch()).isGreaterThan(electing.leaderEpoch());
            assertThat(p.controllerEpoch()).isEqualTo(newControllerEpoch);
            assertEpochsOnlyGrew(h);
        }
    }

    @Test
    void aZooKeeperServerRestartInTheMiddleOfAnElectionLeavesOneLeaderAndTheElectionCompletes() throws Exception {
        try (TestingCluster zk = new TestingCluster(3)) {
            zk.start();
            try (ElectionHarness h = new ElectionHarness(zk.getConnectString())) {
                seedHeld(h);
                DropwizardTestSupport<ControllerConfiguration> c = h.startController("controller-a", SLOW_NODES);
                h.awaitPartition(0, "ELECTING", 15_000, r -> r.state() == PartitionState.ELECTING);
                awaitFencesArrived(h, 1);

                ZooKeeper session = app(c).curator().getZookeeperClient().getZooKeeper();
                InstanceSpec connected = zk.findConnectionInstance(session);
                assertThat(zk.restartServer(connected)).isTrue();
                openFences(h);

                PartitionRecord p = h.awaitPartition(0, "ONLINE", 30_000, r -> r.state() == PartitionState.ONLINE);
                assertThat(p.leaderEpoch()).isGreaterThanOrEqualTo(3);
                assertEpochsOnlyGrew(h);
            }
        }
    }

    @Test
    void aWholeZooKeeperRestartInTheMiddleOfAnElectionLeavesOneLeaderAndTheElectionCompletes() throws Exception {
        try (TestingServer zk = new TestingServer(true); ElectionHarness h = new ElectionHarness(zk.getConnectString())) {
            seedHeld(h);
            DropwizardTestSupport<ControllerConfiguration> c = h.startController("controller-a", SLOW_NODES);
            h.awaitPartition(0, "ELECTING", 10_000, r -> r.state() == PartitionState.ELECTING);
            awaitFencesArrived(h, 1);

            zk.stop();
            await("the controller stops acting", 10_000, () -> !app(c).leadership().isActing());
            openFences(h); // the answers arrive while ZooKeeper is away: nothing can be published
            zk.restart();

            PartitionRecord p = h.awaitPartition(0, "ONLINE", 30_000, r -> r.state() == PartitionState.ONLINE);
            assertThat(p.leaderEpoch()).isGreaterThanOrEqualTo(3);
            assertEpochsOnlyGrew(h);
        }
    }
}
