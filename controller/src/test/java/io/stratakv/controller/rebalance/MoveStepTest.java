package io.stratakv.controller.rebalance;

import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.Reassignment;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The step sequence, applied to records as a perfect elector would publish them. */
class MoveStepTest {

    private static PartitionRecord online(List<String> voters, String leader, List<String> target) {
        PartitionRecord p = PartitionRecord.initial("ks", 0, HashRange.full(), voters, 1).electing(1).online(leader, 1);
        return p.withReassignment(Optional.of(new Reassignment(target, Instant.EPOCH)), 1);
    }

    /** Applies steps until Complete; returns the steps taken. */
    private static List<MoveStep> run(PartitionRecord p) {
        List<MoveStep> steps = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            MoveStep s = MoveStep.next(p);
            steps.add(s);
            String leader = p.leader().orElseThrow();
            switch (s) {
                case MoveStep.AddLearner a -> {
                    List<String> l = new ArrayList<>(p.learners());
                    l.add(a.node());
                    p = p.withLearners(l, 1);
                }
                case MoveStep.PromoteLearner pr -> p = p.electing(pr.voters(), pr.learners(), 1).online(leader, 1);
                case MoveStep.TransferLeadership t -> p = p.electing(1).online(t.to(), 1);
                case MoveStep.RemoveVoter r -> p = p.electing(r.voters(), p.learners(), 1).online(leader, 1);
                case MoveStep.DropLearners d -> p = p.withLearners(d.keep(), 1);
                case MoveStep.Complete c -> {
                    return steps;
                }
                default -> throw new AssertionError("unexpected " + s);
            }
        }
        throw new AssertionError("no end: " + steps);
    }

    @Test
    void replacingTheLeaderMovesLeadershipOffItBeforeItIsRemoved() {
        List<MoveStep> steps = run(online(List.of("c", "a", "b"), "c", List.of("a", "b", "d")));
        assertThat(steps).containsExactly(new MoveStep.AddLearner("d"),
                new MoveStep.PromoteLearner("d", List.of("c", "a", "b", "d"), List.of()),
                new MoveStep.TransferLeadership("c", "a"),
                new MoveStep.RemoveVoter("c", List.of("a", "b", "d")),
                new MoveStep.Complete());
    }

    @Test
    void twoReplacementsGoOneMemberAtATime() {
        List<MoveStep> steps = run(online(List.of("a", "b", "c"), "a", List.of("a", "d", "e")));
        assertThat(steps).extracting(s -> s.getClass().getSimpleName()).containsExactly(
                "AddLearner", "PromoteLearner", "RemoveVoter", "AddLearner", "PromoteLearner", "RemoveVoter", "Complete");
    }

    @Test
    void aStrayLearnerIsDroppedAndAPartitionWithoutLeaderWaits() {
        PartitionRecord p = online(List.of("a", "b", "c"), "a", List.of("a", "b", "c")).withLearners(List.of("x"), 1);
        assertThat(MoveStep.next(p)).isEqualTo(new MoveStep.DropLearners(List.of()));
        assertThat(MoveStep.next(p.electing(1))).isInstanceOf(MoveStep.Wait.class);
    }
}
