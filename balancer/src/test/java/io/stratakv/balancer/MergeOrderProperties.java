package io.stratakv.balancer;

import io.stratakv.balancer.core.PartitionMap;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.ReadConsistency;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever order the copies of a partition znode arrive in, the map ends at the newest one. */
class MergeOrderProperties {

    @Property(tries = 200)
    void theNewestCopyWinsInAnyDeliveryOrder(@ForAll @IntRange(min = 1, max = 12) int changes, @ForAll long seed) {
        // The history of one znode: each change bumps the version; some are elections (epoch + 1).
        Random rnd = new Random(seed);
        List<Object[]> copies = new ArrayList<>();
        long epoch = 1;
        for (int v = 0; v < changes; v++) {
            if (rnd.nextBoolean()) {
                epoch++;
            }
            copies.add(new Object[]{Records.online("m", 0, HashRange.full(), List.of("a", "b"), v % 2 == 0 ? "a" : "b", epoch), v});
        }
        Object[] newest = copies.getLast();
        Collections.shuffle(copies, rnd);
        PartitionMap map = new PartitionMap(null, ZkLayout.forCluster("prop"), Duration.ofSeconds(1));
        map.offerKeyspace(Records.keyspace("m", 1, ReadConsistency.STRONG), 0, 1);
        long highestSeen = 0;
        for (Object[] c : copies) {
            map.offerPartition((PartitionRecord) c[0], (Integer) c[1], 2);
            long now = map.view().keyspace("m").get().partitionFor(new byte[]{1}).get().leaderEpoch();
            assertThat(now).isGreaterThanOrEqualTo(highestSeen); // routing never moves backwards
            highestSeen = now;
        }
        assertThat(map.view().keyspace("m").get().partitionFor(new byte[]{1}).get()).isEqualTo(newest[0]);
    }
}
