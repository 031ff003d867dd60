package io.stratakv.node.replica;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a leader knows during one epoch: the voters, where each has its log durable (learned from
 * the offsets in their fetches) and which read-confirmation round each has answered. A new object
 * per epoch, so nothing learned in an older epoch counts in a newer one.
 *
 * <p>Threads: fetch handlers write a follower's entries; writers and readers compute from them.
 * All fields are concurrent; values only grow.
 */
final class LeaderTerm {

    final long epoch;
    /** Offset of this epoch's epoch-start record: only commit ends past it may be applied (Raft's rule). */
    final long epochStartOffset;
    final String self;
    final List<String> voters;
    /**
     * Replaced when the controller adds or removes a learner within this epoch (a learner never
     * counts toward commit, so its set may change without a new epoch; voters may not).
     */
    volatile List<String> learners;
    private final ConcurrentHashMap<String, Long> durableEnd = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> echoedToken = new ConcurrentHashMap<>();
    final AtomicLong readToken = new AtomicLong();

    LeaderTerm(long epoch, long epochStartOffset, String self, List<String> voters, List<String> learners) {
        this.epoch = epoch;
        this.epochStartOffset = epochStartOffset;
        this.self = self;
        this.voters = List.copyOf(voters);
        this.learners = List.copyOf(learners);
    }

    void setLearners(List<String> newLearners) {
        learners = List.copyOf(newLearners);
    }

    boolean isMember(String replicaId) {
        return voters.contains(replicaId) || learners.contains(replicaId);
    }

    void recordFetch(String replicaId, long durable, long token) {
        durableEnd.merge(replicaId, durable, Math::max);
        echoedToken.merge(replicaId, token, Math::max);
    }

    int quorum() {
        return voters.size() / 2 + 1;
    }

    /** The highest end held durably by a majority of the voters; own durable end for self. */
    long majorityDurableEnd(long ownDurableEnd) {
        long[] ends = new long[voters.size()];
        for (int i = 0; i < ends.length; i++) {
            String v = voters.get(i);
            ends[i] = v.equals(self) ? ownDurableEnd : durableEnd.getOrDefault(v, 0L);
        }
        java.util.Arrays.sort(ends);
        return ends[ends.length - quorum()];
    }

    /** Whether every voter holds offsets below end durably. */
    boolean allHold(long end, long ownDurableEnd) {
        for (String v : voters) {
            long e = v.equals(self) ? ownDurableEnd : durableEnd.getOrDefault(v, 0L);
            if (e < end) {
                return false;
            }
        }
        return true;
    }

    /** Whether a majority of voters (self included) fetched at this epoch after read round token began. */
    boolean confirmed(long token) {
        int n = 0;
        for (String v : voters) {
            if (v.equals(self) || echoedToken.getOrDefault(v, 0L) >= token) {
                n++;
            }
        }
        return n >= quorum();
    }

    /**
     * The lowest durable end among the members other than self (voters and learners), as their
     * fetches at this epoch reported it: 0 for one that has not fetched yet. The log prefix below
     * it is held by every replica. Long.MAX_VALUE when self is the only member.
     */
    long minMemberDurableEnd() {
        long min = Long.MAX_VALUE;
        for (List<String> group : List.of(voters, learners)) {
            for (String m : group) {
                if (!m.equals(self)) {
                    min = Math.min(min, durableEnd.getOrDefault(m, 0L));
                }
            }
        }
        return min;
    }

    long durableEndOf(String replicaId) {
        return durableEnd.getOrDefault(replicaId, 0L);
    }
}
