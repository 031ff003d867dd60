package io.stratakv.balancer;

import io.stratakv.balancer.core.KeyspaceRoutes;
import io.stratakv.balancer.core.ZnodeEntry;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.hash.KeyHash;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.SplitPlan;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Hash routing: every key has exactly one partition; a split moves only the keys of its range. */
class RoutingProperties {

    private static Map<Integer, ZnodeEntry<PartitionRecord>> layout(int n) {
        Map<Integer, ZnodeEntry<PartitionRecord>> m = new HashMap<>();
        List<HashRange> ranges = HashRange.partitionsOf(n);
        for (int i = 0; i < n; i++) {
            m.put(i, new ZnodeEntry<>(Records.online("ks", i, ranges.get(i), List.of("n1"), "n1", 1), 0, 1));
        }
        return m;
    }

    private static KeyspaceRoutes routes(Map<Integer, ZnodeEntry<PartitionRecord>> m, int n) {
        return new KeyspaceRoutes(Records.keyspace("ks", n, ReadConsistency.STRONG), m);
    }

    @Property(tries = 300)
    void everyKeyMapsToExactlyOnePartition(@ForAll @IntRange(min = 1, max = 64) int n,
                                           @ForAll @Size(max = 40) byte[] key) {
        KeyspaceRoutes r = routes(layout(n), n);
        long h = KeyHash.hash(key);
        Optional<PartitionRecord> p = r.partitionFor(key);
        assertThat(p).isPresent();
        assertThat(p.get().range().contains(h)).isTrue();
        assertThat(r.routed().stream().filter(x -> x.range().contains(h)).count()).isEqualTo(1);
        assertThat(r.complete()).isTrue();
    }

    @Property(tries = 300)
    void afterASplitOnlyKeysOfTheSplitRangeChangePartition(@ForAll @IntRange(min = 1, max = 32) int n,
                                                           @ForAll @IntRange(min = 0, max = 31) int splitIndex,
                                                           @ForAll boolean parentStillVisible,
                                                           @ForAll @Size(min = 1, max = 50) List<@Size(max = 24) byte[]> keys) {
        int victim = splitIndex % n;
        Map<Integer, ZnodeEntry<PartitionRecord>> before = layout(n);
        KeyspaceRoutes r0 = routes(before, n);

        Map<Integer, ZnodeEntry<PartitionRecord>> after = new HashMap<>(before);
        PartitionRecord parent = before.get(victim).value();
        HashRange.Halves halves = parent.range().split();
        int lower = n;
        int upper = n + 1;
        SplitPlan plan = new SplitPlan(lower, upper, java.time.Instant.EPOCH);
        // The cache may still hold the parent as SPLITTING next to its children, or already RETIRED.
        PartitionRecord shownParent = new PartitionRecord(parent.schema(), "ks", victim, parent.range(), parent.replicas(),
                List.of(), parentStillVisible ? parent.leader() : Optional.empty(), parent.leaderEpoch(),
                parentStillVisible ? PartitionState.SPLITTING : PartitionState.RETIRED, 1, Optional.empty(), Optional.of(plan));
        after.put(victim, new ZnodeEntry<>(shownParent, 1, 1));
        after.put(lower, new ZnodeEntry<>(Records.online("ks", lower, halves.lower(), List.of("n1"), "n1", 1), 0, 2));
        after.put(upper, new ZnodeEntry<>(Records.online("ks", upper, halves.upper(), List.of("n1"), "n1", 1), 0, 2));
        KeyspaceRoutes r1 = routes(after, n + 1);

        assertThat(r1.complete()).isTrue();
        for (byte[] key : keys) {
            int was = r0.partitionFor(key).orElseThrow().partitionId();
            int now = r1.partitionFor(key).orElseThrow().partitionId();
            if (was == victim) {
                assertThat(now).isIn(lower, upper);
                assertThat(after.get(now).value().range().contains(KeyHash.hash(key))).isTrue();
            } else {
                assertThat(now).isEqualTo(was);
            }
        }
    }
}
