package io.stratakv.zk.records;

import io.stratakv.zk.hash.HashRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordTransitionsTest {

    private static final HashRange R = HashRange.full();

    @Test
    void electionTakesTheNextEpochAndPublishesALeader() {
        PartitionRecord p = PartitionRecord.initial("ks", 0, R, List.of("a", "b", "c"), 1);
        assertThat(p.state()).isEqualTo(PartitionState.OFFLINE);
        assertThat(p.leaderEpoch()).isZero();
        PartitionRecord electing = p.electing(2);
        assertThat(electing.state()).isEqualTo(PartitionState.ELECTING);
        assertThat(electing.leaderEpoch()).isEqualTo(1);
        assertThat(electing.controllerEpoch()).isEqualTo(2);
        PartitionRecord online = electing.online("b", 2);
        assertThat(online.leader()).contains("b");
        assertThat(online.leaderEpoch()).isEqualTo(1);
        assertThat(online.quorum()).isEqualTo(2);
        PartitionRecord again = online.electing(2);
        assertThat(again.leader()).isEmpty();
        assertThat(again.leaderEpoch()).isEqualTo(2);
    }

    @Test
    void voterChangeIsANewEpoch() {
        PartitionRecord online = PartitionRecord.initial("ks", 0, R, List.of("a", "b", "c"), 1).electing(1).online("a", 1)
                .withLearners(List.of("d"), 1);
        PartitionRecord grown = online.electing(List.of("a", "b", "c", "d"), List.of(), 1).online("a", 1);
        assertThat(grown.replicas()).containsExactly("a", "b", "c", "d");
        assertThat(grown.leaderEpoch()).isEqualTo(2);
        assertThat(grown.quorum()).isEqualTo(3);
    }

    @Test
    void aSplitSurvivesAnElection() {
        PartitionRecord online = PartitionRecord.initial("ks", 0, R, List.of("a", "b", "c"), 1).electing(1).online("a", 1);
        SplitPlan plan = new SplitPlan(1, 2, Samples.T);
        PartitionRecord splitting = online.splitting(plan, 1);
        assertThat(splitting.leader()).contains("a");
        PartitionRecord failover = splitting.electing(2);
        assertThat(failover.split()).contains(plan);
        PartitionRecord resumed = failover.online("b", 2);
        assertThat(resumed.state()).isEqualTo(PartitionState.SPLITTING);
        assertThat(resumed.retired(2).state()).isEqualTo(PartitionState.RETIRED);
        assertThat(resumed.splitAborted(2).state()).isEqualTo(PartitionState.ONLINE);
        assertThat(resumed.splitAborted(2).split()).isEmpty();
    }

    @Test
    void illegalTransitionsAreRefused() {
        PartitionRecord offline = PartitionRecord.initial("ks", 0, R, List.of("a"), 1);
        assertThatThrownBy(() -> offline.online("a", 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("OFFLINE to ONLINE");
        PartitionRecord retired = offline.electing(1).online("a", 1).splitting(new SplitPlan(1, 2, Samples.T), 1).retired(1);
        assertThatThrownBy(() -> retired.electing(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> offline.electing(1).online("z", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not one of the replicas");
    }

    @Test
    void anOlderControllerMayNotOverwriteANewerOnesRecord() {
        PartitionRecord p = PartitionRecord.initial("ks", 0, R, List.of("a"), 5);
        assertThatThrownBy(() -> p.electing(4)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("older epoch 4");
        assertThatThrownBy(() -> p.withLearners(List.of("b"), 4)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void replicaSetInvariants() {
        assertThatThrownBy(() -> PartitionRecord.initial("ks", 0, R, List.of(), 1)).hasMessageContaining("empty");
        assertThatThrownBy(() -> PartitionRecord.initial("ks", 0, R, List.of("a", "a"), 1)).hasMessageContaining("duplicates");
        PartitionRecord p = PartitionRecord.initial("ks", 0, R, List.of("a", "b"), 1);
        assertThatThrownBy(() -> p.withLearners(List.of("b"), 1)).hasMessageContaining("both a replica and a learner");
        assertThatThrownBy(() -> p.electing(1).online("a", 1).withReassignment(
                Optional.of(new Reassignment(List.of(), Samples.T)), 1)).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> new SplitPlan(3, 3, Samples.T)).hasMessageContaining("distinct");
    }

    @Test
    void nodeAndKeyspaceStates() {
        NodeRegistration n = Samples.node();
        assertThat(n.withState(NodeState.DECOMMISSIONING).withState(NodeState.REMOVED).state()).isEqualTo(NodeState.REMOVED);
        assertThatThrownBy(() -> n.withState(NodeState.REMOVED)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ACTIVE to REMOVED");
        KeyspaceRecord k = Samples.keyspace();
        assertThat(k.state()).isEqualTo(KeyspaceState.ACTIVE);
        assertThat(k.afterSplit().partitions()).isEqualTo(5);
        assertThat(k.afterSplit().nextPartitionId()).isEqualTo(6);
        assertThatThrownBy(() -> k.withState(KeyspaceState.CREATING)).isInstanceOf(IllegalStateException.class);
        assertThat(WriteConsistency.DEFAULT).isEqualTo(WriteConsistency.QUORUM);
        assertThat(ReadConsistency.DEFAULT).isEqualTo(ReadConsistency.STRONG);
    }
}
