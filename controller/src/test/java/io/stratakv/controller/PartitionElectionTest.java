package io.stratakv.controller;

import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.controller.core.NodeHealth;
import io.stratakv.controller.election.ElectionMetrics;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.stratakv.controller.ControllerTesting.await;
import static io.stratakv.controller.ElectionHarness.KS;
import static io.stratakv.controller.ElectionHarness.app;
import static io.stratakv.controller.ElectionHarness.metrics;
import static org.assertj.core.api.Assertions.assertThat;

/** Partition leader election (DESIGN.md §4.3) by a real controller on a real ZooKeeper, against fake nodes. */
class PartitionElectionTest {

    private TestingServer zk;
    private ElectionHarness h;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        h = new ElectionHarness(zk.getConnectString());
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
        zk.close();
    }

    private void threeNodes() throws Exception {
        for (String id : List.of("n1", "n2", "n3")) {
            h.node(id);
        }
    }

    private PartitionRecord offlineAt(long epoch, List<String> replicas, List<String> learners) {
        return h.record(0, 1, replicas, learners, epoch, PartitionState.OFFLINE, Optional.empty());
    }

    @Test
    void picksTheMostUpToDateVoterOfAMajorityAndNeverALearner() throws Exception {
        threeNodes();
        h.node("n4");
        h.nodes.get("n1").position(KS, 0, 1, 10);
        h.nodes.get("n2").position(KS, 0, 2, 5);
        h.nodes.get("n3").position(KS, 0, 2, 7);
        h.nodes.get("n4").position(KS, 0, 4, 100); // a learner further ahead: still never leads
        h.seed(3, false, offlineAt(4, List.of("n1", "n2", "n3"), List.of("n4")));

        DropwizardTestSupport<ControllerConfiguration> c = h.startController("controller-a");
        PartitionRecord p = h.awaitPartition(0, "ONLINE", 10_000, r -> r.state() == PartitionState.ONLINE);

        assertThat(p.leader()).contains("n3");
        assertThat(p.leaderEpoch()).isEqualTo(5);
        assertThat(p.learners()).containsExactly("n4");
        for (String n : List.of("n1", "n2", "n3", "n4")) {
            assertThat(h.nodes.get(n).fencedEpochs(KS, 0)).as("fenced " + n).containsExactly(5L);
        }
        assertThat(metrics(c).timer(ElectionMetrics.ELECTIONS).getCount()).isEqualTo(1);
        assertThat(metrics(c).counter(ElectionMetrics.FAILED).getCount()).isZero();
        assertThat(metrics(c).counter(ElectionMetrics.UNCLEAN).getCount()).isZero();
        h.assertOneLeaderPerEpoch();
    }

    @Test
    void aMinorityElectsNobodyAndTheElectionCompletesAtAHigherEpochOnceAMajorityAnswers() throws Exception {
        threeNodes();
        h.nodes.get("n1").position(KS, 0, 3, 10);
        h.nodes.get("n2").position(KS, 0, 3, 12);
        h.nodes.get("n3").position(KS, 0, 3, 11);
        h.nodes.get("n2").stopServer();
        h.nodes.get("n3").stopServer();
        h.seed(3, false, offlineAt(3, List.of("n1", "n2", "n3"), List.of()));

        DropwizardTestSupport<ControllerConfiguration> c = h.startController("controller-a");
        await("three failed election attempts", 15_000,
                () -> metrics(c).counter(ElectionMetrics.FAILED).getCount() >= 3);
        PartitionRecord stuck = h.partition(0).value();
        assertThat(stuck.state()).isEqualTo(PartitionState.ELECTING);
        assertThat(stuck.leader()).isEmpty();
        assertThat(stuck.leaderEpoch()).isEqualTo(4); // retries of its own election reuse the recorded epoch
        assertThat(h.nodes.get("n1").fencedEpochs(KS, 0)).isNotEmpty().allMatch(e -> e == 4L);
        await("offline gauge counts it", 5_000, () -> gauge(c, ElectionMetrics.OFFLINE) == 1L);
        assertThat(metrics(c).counter(ElectionMetrics.UNCLEAN).getCount()).isZero();

        h.nodes.get("n3").startServerAgain();
        PartitionRecord p = h.awaitPartition(0, "ONLINE", 15_000, r -> r.state() == PartitionState.ONLINE);
        assertThat(p.leaderEpoch()).isGreaterThan(3);
        assertThat(p.leader()).contains("n3"); // (3,11) beats n1's (3,10); n2 (3,12) did not answer
        await("offline gauge clears", 5_000, () -> gauge(c, ElectionMetrics.OFFLINE) == 0L);
        h.assertOneLeaderPerEpoch();
    }

    @Test
    void uncleanElectionPicksTheBestAnsweringVoterOnlyWhenTheKeyspaceOptedIn() throws Exception {
        threeNodes();
        h.nodes.get("n1").position(KS, 0, 2, 10);
        h.nodes.get("n2").stopServer();
        h.nodes.get("n3").stopServer();
        h.seed(3, true, offlineAt(2, List.of("n1", "n2", "n3"), List.of()));

        DropwizardTestSupport<ControllerConfiguration> c = h.startController("controller-a");
        PartitionRecord p = h.awaitPartition(0, "ONLINE", 10_000, r -> r.state() == PartitionState.ONLINE);
        assertThat(p.leader()).contains("n1");
        assertThat(p.leaderEpoch()).isEqualTo(3);
        assertThat(metrics(c).counter(ElectionMetrics.UNCLEAN).getCount()).isEqualTo(1);
    }

    @Test
    void aControllerResumesAnElectionThatADeadControllerLeftHalfDoneAtAHigherEpoch() throws Exception {
        threeNodes();
        for (FakeNode n : h.nodes.values()) {
            n.position(KS, 0, 6, 20);
        }
        // A controller recorded epoch 7 and died before fencing anyone or publishing.
        h.seed(3, false, h.record(0, 1, List.of("n1", "n2", "n3"), List.of(), 7, PartitionState.ELECTING,
                Optional.empty()));

        h.startController("controller-a");
        PartitionRecord p = h.awaitPartition(0, "ONLINE", 10_000, r -> r.state() == PartitionState.ONLINE);
        assertThat(p.leaderEpoch()).isEqualTo(8);
        assertThat(p.leader()).contains("n1"); // all equal: the first voter
        assertThat(h.nodes.get("n2").fencedEpochs(KS, 0)).containsExactly(8L);
    }

    @Test
    void aDownLeaderIsReplacedAtAHigherEpochAndHealthGoesActiveSuspectDown() throws Exception {
        threeNodes();
        h.nodes.get("n1").position(KS, 0, 1, 5);
        h.nodes.get("n2").position(KS, 0, 1, 6);
        h.nodes.get("n3").position(KS, 0, 1, 7);
        h.seed(3, false, offlineAt(1, List.of("n1", "n2", "n3"), List.of()));
        DropwizardTestSupport<ControllerConfiguration> c = h.startController("controller-a");
        PartitionRecord first = h.awaitPartition(0, "ONLINE", 10_000, r -> r.state() == PartitionState.ONLINE);
        assertThat(first.leader()).contains("n3");
        await("n3 ACTIVE", 5_000, () -> app(c).membership().health("n3") == NodeHealth.ACTIVE);
        await("nothing under-replicated", 5_000, () -> gauge(c, ElectionMetrics.UNDER_REPLICATED) == 0L);

        // The leader's process hangs: its live znode stays, its health polls fail.
        h.nodes.get("n3").stopServer();
        await("n3 SUSPECT", 5_000, () -> app(c).membership().health("n3") == NodeHealth.SUSPECT);
        assertThat(h.partition(0).value().leader()).as("no election within the grace period").contains("n3");
        await("n3 DOWN", 5_000, () -> app(c).membership().health("n3") == NodeHealth.DOWN);
        PartitionRecord second = h.awaitPartition(0, "a new leader", 10_000,
                r -> r.state() == PartitionState.ONLINE && !r.leader().equals(Optional.of("n3")));
        assertThat(second.leader()).contains("n2");
        assertThat(second.leaderEpoch()).isGreaterThan(first.leaderEpoch());
        await("under-replicated counted", 5_000, () -> gauge(c, ElectionMetrics.UNDER_REPLICATED) == 1L);

        // n3 returns (healthy): ACTIVE again, no election needed. Then n2's session expires: next leader.
        h.nodes.get("n3").startServerAgain();
        await("n3 ACTIVE again", 5_000, () -> app(c).membership().health("n3") == NodeHealth.ACTIVE);
        h.nodes.get("n3").position(KS, 0, second.leaderEpoch(), 9);
        h.nodes.get("n1").position(KS, 0, second.leaderEpoch(), 9);
        h.nodes.get("n2").goDead();
        PartitionRecord third = h.awaitPartition(0, "a third leader", 10_000,
                r -> r.state() == PartitionState.ONLINE && !r.leader().equals(Optional.of("n2")));
        assertThat(third.leaderEpoch()).isGreaterThan(second.leaderEpoch());
        assertThat(app(c).membership().health("n2")).isEqualTo(NodeHealth.DOWN);

        for (FakeNode n : h.nodes.values()) {
            List<Long> epochs = n.fencedEpochs(KS, 0);
            assertThat(epochs).as("epochs " + n.id + " was fenced at").isSortedAccordingTo(Long::compare);
            assertThat(new ArrayList<>(epochs)).doesNotHaveDuplicates();
        }
        h.assertOneLeaderPerEpoch();
    }

    @Test
    void aLeaderThatReportsItSteppedDownIsReplaced() throws Exception {
        threeNodes();
        h.seed(3, false, offlineAt(1, List.of("n1", "n2", "n3"), List.of()));
        h.startController("controller-a");
        PartitionRecord first = h.awaitPartition(0, "ONLINE", 10_000, r -> r.state() == PartitionState.ONLINE);
        String leader = first.leader().orElseThrow();
        h.nodes.get(leader).report(KS, 0, io.stratakv.zk.contract.ReplicaRole.FOLLOWER, first.leaderEpoch(), 0);
        PartitionRecord second = h.awaitPartition(0, "re-elected", 10_000,
                r -> r.state() == PartitionState.ONLINE && r.leaderEpoch() > first.leaderEpoch());
        assertThat(second.leaderEpoch()).isEqualTo(first.leaderEpoch() + 1);
    }

    @Test
    void leaderBalancingHandsLeadershipBackToTheCaughtUpPreferredReplica() throws Exception {
        threeNodes();
        h.nodes.get("n1").stopServer(); // the preferred replica is away during the first election
        h.seed(3, false, offlineAt(1, List.of("n1", "n2", "n3"), List.of()));
        DropwizardTestSupport<ControllerConfiguration> c = h.startController("controller-a",
                "leaderBalancing", "true");
        PartitionRecord first = h.awaitPartition(0, "ONLINE", 10_000, r -> r.state() == PartitionState.ONLINE);
        assertThat(first.leader()).contains("n2");

        h.nodes.get("n1").startServerAgain();
        await("n1 ACTIVE", 5_000, () -> app(c).membership().health("n1") == NodeHealth.ACTIVE);
        assertThat(h.partition(0).value().leader()).as("n1 has not caught up yet").contains("n2");
        h.nodes.get("n1").report(KS, 0, io.stratakv.zk.contract.ReplicaRole.FOLLOWER, first.leaderEpoch(), 0);
        PartitionRecord back = h.awaitPartition(0, "led by n1", 10_000, r -> r.leader().equals(Optional.of("n1")));
        assertThat(back.leaderEpoch()).isEqualTo(first.leaderEpoch() + 1);
        assertThat(h.nodes.get("n2").transfers).hasSize(1);
        assertThat(h.nodes.get("n2").transfers.get(0).targetNodeId()).isEqualTo("n1");
    }

    private static long gauge(DropwizardTestSupport<ControllerConfiguration> c, String name) {
        return (Long) metrics(c).getGauges().get(name).getValue();
    }
}
