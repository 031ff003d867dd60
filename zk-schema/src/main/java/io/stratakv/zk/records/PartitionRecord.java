package io.stratakv.zk.records;

import io.stratakv.zk.ZkNames;
import io.stratakv.zk.hash.HashRange;

import java.util.List;
import java.util.Optional;

/**
 * {@code <root>/partitions/<ks>/<pid>}: one partition as the controller publishes it. Written
 * only by the active controller, always with a compare-and-set on the znode version inside a
 * fenced multi; read by nodes (their role and epoch), balancers (routing) and clients.
 *
 * <p>Invariants (checked on construction, so a document that breaks them fails to decode):
 * <ul>
 *   <li>{@code replicas} (the voters, ordered: the first is the preferred leader) is non-empty;
 *       {@code learners} (catching up, not counted for commit) are disjoint from it; no duplicates.</li>
 *   <li>{@code leader}, when present, is one of {@code replicas} and {@code leaderEpoch >= 1}.</li>
 *   <li>ONLINE and SPLITTING have a leader; OFFLINE, ELECTING and RETIRED have none (see
 *       {@link PartitionState}).</li>
 *   <li>{@code split} is present in SPLITTING and RETIRED, absent in ONLINE, and may be present
 *       in ELECTING and OFFLINE (a split interrupted by a failover).</li>
 * </ul>
 *
 * <p>{@code leaderEpoch} only grows: every election and every voter change takes the next epoch
 * (DESIGN.md §4.3, §5). {@code controllerEpoch} is the epoch of the controller that wrote it.
 *
 * <p>What a new controller needs to resume after failover is all here: an interrupted election
 * (state ELECTING at {@code leaderEpoch}), a replica change ({@code reassignment}), a split
 * ({@code split}).
 */
public record PartitionRecord(
        int schema,
        String keyspace,
        int partitionId,
        HashRange range,
        List<String> replicas,
        List<String> learners,
        Optional<String> leader,
        long leaderEpoch,
        PartitionState state,
        long controllerEpoch,
        Optional<Reassignment> reassignment,
        Optional<SplitPlan> split) implements ZkRecord {

    public PartitionRecord {
        ZkRecord.checkSchema(schema, PartitionRecord.class);
        ZkNames.requireKeyspace(keyspace);
        ZkNames.requirePartitionId(partitionId);
        Checks.present(range, "range");
        replicas = Checks.distinct(replicas, "replicas");
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("replicas must not be empty");
        }
        replicas.forEach(ZkNames::requireNodeId);
        learners = Checks.distinct(learners == null ? List.of() : learners, "learners");
        learners.forEach(ZkNames::requireNodeId);
        for (String l : learners) {
            if (replicas.contains(l)) {
                throw new IllegalArgumentException("node " + l + " is both a replica and a learner");
            }
        }
        leader = leader == null ? Optional.empty() : leader;
        Checks.nonNegative(leaderEpoch, "leaderEpoch");
        Checks.present(state, "state");
        if (controllerEpoch < 1) {
            throw new IllegalArgumentException("controllerEpoch " + controllerEpoch + " must be at least 1");
        }
        reassignment = reassignment == null ? Optional.empty() : reassignment;
        split = split == null ? Optional.empty() : split;

        if (leader.isPresent()) {
            if (!replicas.contains(leader.get())) {
                throw new IllegalArgumentException("leader " + leader.get() + " is not one of the replicas " + replicas);
            }
            if (leaderEpoch < 1) {
                throw new IllegalArgumentException("a partition with a leader needs leaderEpoch >= 1, got " + leaderEpoch);
            }
        }
        if (state.hasLeader() && leader.isEmpty()) {
            throw new IllegalArgumentException("a partition in state " + state + " needs a leader");
        }
        if (!state.hasLeader() && leader.isPresent()) {
            throw new IllegalArgumentException("a partition in state " + state + " has no leader, but names " + leader.get());
        }
        if ((state == PartitionState.SPLITTING || state == PartitionState.RETIRED) && split.isEmpty()) {
            throw new IllegalArgumentException("a partition in state " + state + " needs its split plan");
        }
        if (state == PartitionState.ONLINE && split.isPresent()) {
            throw new IllegalArgumentException("an ONLINE partition has no split plan (SPLITTING has)");
        }
        split.ifPresent(s -> {
            if (s.lowerPartitionId() == partitionId || s.upperPartitionId() == partitionId) {
                throw new IllegalArgumentException("partition " + partitionId + " cannot be its own split child");
            }
        });
    }

    /** A new partition: no leader yet, epoch 0, OFFLINE until its first election. */
    public static PartitionRecord initial(String keyspace, int partitionId, HashRange range, List<String> replicas,
                                          long controllerEpoch) {
        return new PartitionRecord(SCHEMA_V1, keyspace, partitionId, range, replicas, List.of(), Optional.empty(),
                0, PartitionState.OFFLINE, controllerEpoch, Optional.empty(), Optional.empty());
    }

    /** The number of voters whose copies commit an entry: a strict majority of {@code replicas}. */
    public int quorum() {
        return replicas.size() / 2 + 1;
    }

    /** Starts an election at the next epoch with the same voters: state ELECTING, no leader. */
    public PartitionRecord electing(long writerControllerEpoch) {
        return electing(replicas, learners, writerControllerEpoch);
    }

    /**
     * Starts an election at the next epoch with a new voter set (a replica change, one member at
     * a time, is published this way): state ELECTING, no leader.
     */
    public PartitionRecord electing(List<String> newReplicas, List<String> newLearners, long writerControllerEpoch) {
        return to(PartitionState.ELECTING, newReplicas, newLearners, Optional.empty(), leaderEpoch + 1,
                writerControllerEpoch, split);
    }

    /**
     * Publishes {@code newLeader} at the current epoch (the one the election fenced at). The
     * state becomes ONLINE, or SPLITTING again if a split was interrupted by the election.
     */
    public PartitionRecord online(String newLeader, long writerControllerEpoch) {
        PartitionState next = split.isPresent() ? PartitionState.SPLITTING : PartitionState.ONLINE;
        return to(next, replicas, learners, Optional.of(newLeader), leaderEpoch, writerControllerEpoch, split);
    }

    /** Gives up a split: back to ONLINE under the same leader and epoch. */
    public PartitionRecord splitAborted(long writerControllerEpoch) {
        if (state != PartitionState.SPLITTING) {
            throw new IllegalStateException("partition " + keyspace + "/" + partitionId + " is " + state + ", not SPLITTING");
        }
        return to(PartitionState.ONLINE, replicas, learners, leader, leaderEpoch, writerControllerEpoch,
                Optional.empty());
    }

    /** No majority reachable: unavailable until a later election. */
    public PartitionRecord offline(long writerControllerEpoch) {
        return to(PartitionState.OFFLINE, replicas, learners, Optional.empty(), leaderEpoch, writerControllerEpoch,
                split);
    }

    /** Starts a split into the two children {@code plan} names; the leader keeps serving meanwhile. */
    public PartitionRecord splitting(SplitPlan plan, long writerControllerEpoch) {
        return to(PartitionState.SPLITTING, replicas, learners, leader, leaderEpoch, writerControllerEpoch,
                Optional.of(plan));
    }

    /** Replaced by its split children. */
    public PartitionRecord retired(long writerControllerEpoch) {
        return to(PartitionState.RETIRED, replicas, learners, Optional.empty(), leaderEpoch, writerControllerEpoch,
                split);
    }

    /** Changes the learners only (they do not count toward commit, so no new epoch is needed). */
    public PartitionRecord withLearners(List<String> newLearners, long writerControllerEpoch) {
        checkWriter(writerControllerEpoch);
        return new PartitionRecord(schema, keyspace, partitionId, range, replicas, newLearners, leader, leaderEpoch,
                state, writerControllerEpoch, reassignment, split);
    }

    /** Records (or, with empty, clears) the replica change in progress. */
    public PartitionRecord withReassignment(Optional<Reassignment> next, long writerControllerEpoch) {
        checkWriter(writerControllerEpoch);
        return new PartitionRecord(schema, keyspace, partitionId, range, replicas, learners, leader, leaderEpoch,
                state, writerControllerEpoch, next, split);
    }

    private PartitionRecord to(PartitionState next, List<String> newReplicas, List<String> newLearners,
                               Optional<String> newLeader, long newEpoch, long writerControllerEpoch,
                               Optional<SplitPlan> newSplit) {
        if (!state.canBecome(next)) {
            throw new IllegalStateException("partition " + keyspace + "/" + partitionId + " cannot go from "
                    + state + " to " + next);
        }
        checkWriter(writerControllerEpoch);
        return new PartitionRecord(schema, keyspace, partitionId, range, newReplicas, newLearners, newLeader, newEpoch,
                next, writerControllerEpoch, reassignment, newSplit);
    }

    private void checkWriter(long writerControllerEpoch) {
        if (writerControllerEpoch < controllerEpoch) {
            throw new IllegalStateException("partition " + keyspace + "/" + partitionId + " was written by controller epoch "
                    + controllerEpoch + "; a writer at older epoch " + writerControllerEpoch + " may not change it");
        }
    }
}
