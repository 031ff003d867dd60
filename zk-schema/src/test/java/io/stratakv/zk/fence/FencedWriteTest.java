package io.stratakv.zk.fence;

import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Fenced writes against a real ZooKeeper (Curator's TestingServer). */
class FencedWriteTest {

    private static final AtomicInteger CLUSTERS = new AtomicInteger();
    private static TestingServer server;
    private static CuratorFramework client;

    private ZkLayout layout;
    private String p0;
    private String p1;

    @BeforeAll
    static void startZooKeeper() throws Exception {
        server = new TestingServer(true);
        client = CuratorFrameworkFactory.newClient(server.getConnectString(), new ExponentialBackoffRetry(100, 3));
        client.start();
        client.blockUntilConnected();
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Each test gets its own cluster root, with one keyspace of two partitions. */
    @BeforeEach
    void freshCluster() throws Exception {
        layout = ZkLayout.forCluster("c" + CLUSTERS.incrementAndGet());
        for (String c : layout.containers()) {
            client.create().creatingParentsIfNeeded().forPath(c, new byte[0]);
        }
        client.create().forPath(layout.partitions("default"), new byte[0]);
        List<HashRange> ranges = HashRange.partitionsOf(2);
        p0 = layout.partition("default", 0);
        p1 = layout.partition("default", 1);
        client.create().forPath(p0, ZkCodec.encode(PartitionRecord.initial("default", 0, ranges.get(0), List.of("n1", "n2", "n3"), 1)));
        client.create().forPath(p1, ZkCodec.encode(PartitionRecord.initial("default", 1, ranges.get(1), List.of("n1", "n2", "n3"), 1)));
    }

    @Test
    void aDeposedControllersMultiFailsWholeAndTheNewOnesSucceeds() throws Exception {
        ControllerFence a = ControllerEpochs.bump(client, layout, "ctl-a");
        ControllerFence b = ControllerEpochs.bump(client, layout, "ctl-b");
        assertThat(a.epoch()).isEqualTo(1);
        assertThat(b.epoch()).isEqualTo(2);

        Versioned<PartitionRecord> part0 = read(p0);
        Versioned<PartitionRecord> part1 = read(p1);
        Snapshot before = snapshot(p0, p1, layout.keyspace("orders"));

        // A does not know it was deposed: it updates a partition, creates a keyspace and deletes
        // the other partition, all compare-and-set on what it read.
        FencedWrite fromA = multi(a, part0, part1);
        assertThatThrownBy(fromA::commit)
                .isInstanceOfSatisfying(FencedOutException.class, e -> {
                    assertThat(e.epoch()).isEqualTo(1);
                    assertThat(e.path()).isEqualTo(layout.controllerEpoch());
                })
                .hasMessageContaining("stop acting");
        assertThat(snapshot(p0, p1, layout.keyspace("orders"))).as("nothing of A's multi took effect").isEqualTo(before);

        // B, the active controller, does the same with success.
        FencedWrite.Committed done = multi(b, part0, part1).commit();
        assertThat(read(p0).value().state().name()).isEqualTo("ELECTING");
        assertThat(read(p0).version()).isEqualTo(part0.version() + 1);
        assertThat(done.version(p0)).isEqualTo(part0.version() + 1);
        assertThat(done.version(layout.keyspace("orders"))).isZero();
        assertThat(client.checkExists().forPath(p1)).isNull();
        assertThat(ZkCodec.read(client, layout.keyspace("orders"), KeyspaceRecord.class)).isPresent();
    }

    @Test
    void anEmptyFencedWriteTellsWhetherTheControllerIsStillActive() throws Exception {
        ControllerFence a = ControllerEpochs.bump(client, layout, "ctl-a");
        FencedWrite.begin(client, a).commit();
        ControllerFence b = ControllerEpochs.bump(client, layout, "ctl-b");
        assertThatThrownBy(() -> FencedWrite.begin(client, a).commit()).isInstanceOf(FencedOutException.class);
        assertThat(FencedWrite.begin(client, b).commit().versions()).isEmpty();
    }

    @Test
    void aMissingEpochZnodeFencesEveryone() throws Exception {
        ControllerFence a = ControllerEpochs.bump(client, layout, "ctl-a");
        client.delete().forPath(layout.controllerEpoch());
        assertThatThrownBy(() -> FencedWrite.begin(client, a).commit()).isInstanceOf(FencedOutException.class);
    }

    @Test
    void aVersionConflictOnAPartitionZnodeNamesItsPathAndChangesNothing() throws Exception {
        ControllerFence b = ControllerEpochs.bump(client, layout, "ctl-b");
        Versioned<PartitionRecord> part0 = read(p0);
        Versioned<PartitionRecord> part1 = read(p1);
        // Someone else changes p1 after we read it.
        client.setData().withVersion(part1.version()).forPath(p1, ZkCodec.encode(part1.value().electing(1)));
        Snapshot before = snapshot(p0, p1, layout.keyspace("orders"));

        FencedWrite w = FencedWrite.begin(client, b)
                .update(p0, part0.value().electing(b.epoch()), part0.version())
                .update(p1, part1.value().electing(b.epoch()), part1.version());
        assertThatThrownBy(w::commit)
                .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.path()).isEqualTo(p1);
                    assertThat(e.expectedVersion()).isEqualTo(part1.version());
                })
                .hasMessageContaining(p1);
        assertThat(snapshot(p0, p1, layout.keyspace("orders"))).isEqualTo(before);
    }

    @Test
    void aFailedCheckOfAnotherZnodeIsAVersionConflict() throws Exception {
        ControllerFence b = ControllerEpochs.bump(client, layout, "ctl-b");
        assertThatThrownBy(() -> FencedWrite.begin(client, b).check(p0, 5).commit())
                .isInstanceOfSatisfying(VersionConflictException.class, e -> assertThat(e.path()).isEqualTo(p0));
    }

    @Test
    void existenceFailuresNameThePath() throws Exception {
        ControllerFence b = ControllerEpochs.bump(client, layout, "ctl-b");
        assertThatThrownBy(() -> FencedWrite.begin(client, b).create(p0, new byte[]{1}).commit())
                .isInstanceOfSatisfying(ZNodeExistsException.class, e -> assertThat(e.path()).isEqualTo(p0));
        String orphan = layout.partition("nosuchks", 0);
        assertThatThrownBy(() -> FencedWrite.begin(client, b).create(orphan, new byte[]{1}).commit())
                .isInstanceOfSatisfying(NoZNodeException.class, e -> assertThat(e.path()).isEqualTo(orphan))
                .hasMessageContaining("parent");
        assertThatThrownBy(() -> FencedWrite.begin(client, b).delete(layout.partition("default", 9), 0).commit())
                .isInstanceOfSatisfying(NoZNodeException.class,
                        e -> assertThat(e.path()).isEqualTo(layout.partition("default", 9)));
        assertThatThrownBy(() -> FencedWrite.begin(client, b).delete(layout.partitions("default"), 0).commit())
                .isInstanceOfSatisfying(ZkWriteFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(KeeperException.Code.NOTEMPTY);
                    assertThat(e.outcomeUnknown()).isFalse();
                    assertThat(e.path()).isEqualTo(layout.partitions("default"));
                });
    }

    @Test
    void ephemeralCreateAndSequentialOperationsOnOnePath() throws Exception {
        ControllerFence b = ControllerEpochs.bump(client, layout, "ctl-b");
        String tmp = layout.controller() + "/tmp";
        FencedWrite.Committed c = FencedWrite.begin(client, b)
                .create(tmp, new byte[]{1}, CreateMode.EPHEMERAL)
                .setData(tmp, new byte[]{2}, 0)
                .commit();
        assertThat(c.version(tmp)).isEqualTo(1);
        Stat stat = client.checkExists().forPath(tmp);
        assertThat(stat.getEphemeralOwner()).isNotZero();
        assertThat(client.getData().forPath(tmp)).containsExactly(2);
    }

    @Test
    void isSingleUseAndRefusesUnconditionalWrites() throws Exception {
        ControllerFence b = ControllerEpochs.bump(client, layout, "ctl-b");
        FencedWrite w = FencedWrite.begin(client, b);
        w.commit();
        assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> FencedWrite.begin(client, b).setData(p0, new byte[0], -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compare-and-set");
        assertThatThrownBy(() -> FencedWrite.begin(client, b).delete(p0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readOfAMissingZnodeIsEmpty() throws Exception {
        assertThat(ZkCodec.read(client, layout.keyspace("nope"), KeyspaceRecord.class)).isEmpty();
        assertThat(ControllerEpochs.read(client, layout)).isEmpty();
    }

    private FencedWrite multi(ControllerFence fence, Versioned<PartitionRecord> part0, Versioned<PartitionRecord> part1) {
        KeyspaceRecord orders = KeyspaceRecord.creating("orders", 2, 3, WriteConsistency.QUORUM, ReadConsistency.STRONG,
                false, Map.of(), Instant.parse("2025-01-31T12:00:00Z"));
        return FencedWrite.begin(client, fence)
                .update(p0, part0.value().electing(fence.epoch()), part0.version())
                .create(layout.keyspace("orders"), orders)
                .delete(p1, part1.version());
    }

    private Versioned<PartitionRecord> read(String path) throws Exception {
        return ZkCodec.read(client, path, PartitionRecord.class).orElseThrow();
    }

    /** Data and version of each path (absent: null), comparable with equals. */
    private record Snapshot(List<String> state) {
    }

    private Snapshot snapshot(String... paths) throws Exception {
        List<String> state = new java.util.ArrayList<>();
        for (String p : paths) {
            Stat stat = client.checkExists().forPath(p);
            state.add(p + (stat == null ? " absent" : " v" + stat.getVersion() + " "
                    + Arrays.toString(client.getData().forPath(p))));
        }
        return new Snapshot(state);
    }
}
