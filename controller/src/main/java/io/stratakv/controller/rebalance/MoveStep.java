package io.stratakv.controller.rebalance;

import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.Reassignment;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The next one-member step of a replica move, derived only from the partition record (its
 * {@code replicas}, {@code learners}, {@code leader} and the reassignment's target), so a new
 * controller resumes a move where the old one left it and every step is idempotent.
 *
 * <p>The order (DESIGN.md §5), for voters V, learners L, target T:
 * <ol>
 *   <li>learners not in T are dropped ({@link DropLearners});</li>
 *   <li>if V has a member outside T and V is larger than T (or nothing is left to add), one such
 *       member goes: a non-leader first ({@link RemoveVoter}); if only the leader is left to go,
 *       leadership moves first ({@link TransferLeadership}), to the first member of T in V;</li>
 *   <li>else the first member of T missing from V joins: first as a learner ({@link AddLearner}),
 *       then, once caught up, as a voter ({@link PromoteLearner});</li>
 *   <li>when V equals T as a set and no learner is left, the reassignment is cleared
 *       ({@link Complete}).</li>
 * </ol>
 * So {a,b,c} → {a,b,d} goes {a,b,c}+d → {a,b,c,d} → {a,b,d}: each voter change adds or removes
 * exactly one member, so any majority of the set before overlaps any majority after it. Only an
 * ONLINE partition moves; otherwise the step is {@link Wait} (elections are the elector's job).
 */
public sealed interface MoveStep {

    record None() implements MoveStep {
    }

    record Wait(String why) implements MoveStep {
    }

    record DropLearners(List<String> keep) implements MoveStep {
    }

    record AddLearner(String node) implements MoveStep {
    }

    record PromoteLearner(String node, List<String> voters, List<String> learners) implements MoveStep {
    }

    record TransferLeadership(String from, String to) implements MoveStep {
    }

    record RemoveVoter(String node, List<String> voters) implements MoveStep {
    }

    record Complete() implements MoveStep {
    }

    static MoveStep next(PartitionRecord p) {
        if (p.reassignment().isEmpty()) {
            return new None();
        }
        if (p.state() != PartitionState.ONLINE || p.leader().isEmpty()) {
            return new Wait("partition is " + p.state());
        }
        Reassignment r = p.reassignment().get();
        List<String> target = r.targetReplicas();
        List<String> voters = p.replicas();
        List<String> learners = p.learners();
        if (!target.containsAll(learners)) {
            return new DropLearners(learners.stream().filter(target::contains).toList());
        }
        List<String> toRemove = voters.stream().filter(v -> !target.contains(v)).toList();
        List<String> toAdd = target.stream().filter(t -> !voters.contains(t)).toList();
        String leader = p.leader().get();
        if (!toRemove.isEmpty() && (voters.size() > target.size() || toAdd.isEmpty())) {
            Optional<String> follower = toRemove.stream().filter(v -> !v.equals(leader)).findFirst();
            if (follower.isPresent()) {
                return new RemoveVoter(follower.get(), without(voters, follower.get()));
            }
            String successor = target.stream().filter(t -> voters.contains(t) && !t.equals(leader)).findFirst()
                    .orElseGet(() -> voters.stream().filter(v -> !v.equals(leader)).findFirst().orElseThrow());
            return new TransferLeadership(leader, successor);
        }
        if (!toAdd.isEmpty()) {
            String joining = toAdd.get(0);
            if (!learners.contains(joining)) {
                return new AddLearner(joining);
            }
            List<String> newVoters = new ArrayList<>(voters);
            newVoters.add(joining);
            return new PromoteLearner(joining, List.copyOf(newVoters), without(learners, joining));
        }
        return new Complete();
    }

    private static List<String> without(List<String> list, String member) {
        return list.stream().filter(m -> !m.equals(member)).toList();
    }
}
