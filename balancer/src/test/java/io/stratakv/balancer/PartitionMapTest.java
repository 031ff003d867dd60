package io.stratakv.balancer;

import io.stratakv.balancer.core.PartitionMap;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The partition map against a real ZooKeeper: events, fresh reads and the merge rules. */
class PartitionMapTest {

    private static TestingServer zk;
    private static CuratorFramework admin;
    private static final ZkLayout LAYOUT = ZkLayout.forCluster("maptest");
    private static final byte[] KEY = "k".getBytes();

    @BeforeAll
    static void start() throws Exception {
        zk = new TestingServer(true);
        admin = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryNTimes(3, 100));
        admin.start();
        admin.blockUntilConnected();
        for (String p : LAYOUT.containers()) {
            admin.create().creatingParentsIfNeeded().forPath(p);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        admin.close();
        zk.close();
    }

    private static long epochOf(PartitionMap map, String ks) {
        return map.view().keyspace(ks).flatMap(k -> k.partitionFor(KEY)).map(PartitionRecord::leaderEpoch).orElse(-1L);
    }

    @Test
    void aStaleNotificationWithALowerEpochNeverMovesRoutingBackwards() {
        PartitionMap map = new PartitionMap(null, LAYOUT, Duration.ofSeconds(1)); // merges only, no ZooKeeper
        map.offerKeyspace(Records.keyspace("s", 1, ReadConsistency.STRONG), 0, 10);
        map.offerPartition(Records.online("s", 0, HashRange.full(), List.of("a", "b"), "b", 5), 4, 11);
        // Delivered late: the copies from before the elections of epochs 4 and 5.
        map.offerPartition(Records.online("s", 0, HashRange.full(), List.of("a", "b"), "a", 4), 3, 11);
        map.offerPartition(Records.online("s", 0, HashRange.full(), List.of("a", "b"), "a", 3), 9, 11);
        assertThat(epochOf(map, "s")).isEqualTo(5);
        assertThat(map.view().keyspace("s").get().partitionFor(KEY).get().leader()).contains("b");
        // Same epoch, older znode version: ignored too; newer version: applied.
        map.offerPartition(Records.online("s", 0, HashRange.full(), List.of("a", "b", "c"), "b", 5), 3, 11);
        assertThat(map.view().keyspace("s").get().partitionFor(KEY).get().replicas()).hasSize(2);
        map.offerPartition(Records.online("s", 0, HashRange.full(), List.of("a", "b", "c"), "b", 5), 5, 11);
        assertThat(map.view().keyspace("s").get().partitionFor(KEY).get().replicas()).hasSize(3);
        // A recreated znode (newer czxid) starts over, even at a lower epoch.
        map.offerPartition(Records.online("s", 0, HashRange.full(), List.of("a"), "a", 1), 0, 20);
        assertThat(epochOf(map, "s")).isEqualTo(1);
    }

    @Test
    void followsZooKeeperChangesThroughTheCache() throws Exception {
        PartitionMap map = new PartitionMap(admin, LAYOUT, Duration.ofMinutes(10)); // reconcile only at start
        admin.create().forPath(LAYOUT.keyspace("c"), ZkCodec.encode(Records.keyspace("c", 1, ReadConsistency.STRONG)));
        admin.create().creatingParentsIfNeeded().forPath(LAYOUT.partition("c", 0),
                ZkCodec.encode(Records.online("c", 0, HashRange.full(), List.of("a", "b"), "a", 1)));
        map.start();
        try {
            Await.until("epoch 1 routed", 5_000, () -> epochOf(map, "c") == 1);
            admin.setData().forPath(LAYOUT.partition("c", 0),
                    ZkCodec.encode(Records.online("c", 0, HashRange.full(), List.of("a", "b"), "b", 2)));
            Await.until("epoch 2 routed", 5_000, () -> epochOf(map, "c") == 2);
            admin.delete().forPath(LAYOUT.partition("c", 0));
            admin.delete().forPath(LAYOUT.keyspace("c"));
            Await.until("keyspace gone", 5_000, () -> map.view().keyspace("c").isEmpty());
        } finally {
            map.stop();
        }
    }

    @Test
    void freshReadsFindWhatNoNotificationReported() throws Exception {
        PartitionMap map = new PartitionMap(admin, LAYOUT, Duration.ofMinutes(10)); // never started: no cache at all
        admin.create().forPath(LAYOUT.keyspace("r"), ZkCodec.encode(Records.keyspace("r", 1, ReadConsistency.EVENTUAL)));
        admin.create().creatingParentsIfNeeded().forPath(LAYOUT.partition("r", 0),
                ZkCodec.encode(Records.online("r", 0, HashRange.full(), List.of("a", "b"), "a", 1)));
        admin.create().forPath(LAYOUT.registeredNode("a"), ZkCodec.encode(Records.node("a", 7001)));
        map.reconcile();
        assertThat(epochOf(map, "r")).isEqualTo(1);
        assertThat(map.view().dataAddress("a")).contains("http://127.0.0.1:7001");
        assertThat(map.view().isLive("a")).isFalse();

        admin.setData().forPath(LAYOUT.partition("r", 0),
                ZkCodec.encode(Records.online("r", 0, HashRange.full(), List.of("a", "b"), "b", 3)));
        map.refreshPartition("r", 0); // what a NOT_LEADER with a newer epoch triggers
        assertThat(epochOf(map, "r")).isEqualTo(3);

        admin.delete().forPath(LAYOUT.partition("r", 0));
        admin.delete().forPath(LAYOUT.keyspace("r"));
        admin.delete().forPath(LAYOUT.registeredNode("a"));
        map.reconcile();
        assertThat(map.view().keyspace("r")).isEmpty();
        assertThat(map.view().dataAddress("a")).isEmpty();
    }
}
