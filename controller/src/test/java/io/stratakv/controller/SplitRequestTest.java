package io.stratakv.controller;

import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.stratakv.controller.ControllerTesting.await;
import static io.stratakv.controller.MovesTesting.LAYOUT;
import static org.assertj.core.api.Assertions.assertThat;

/** Split requests and completion on a real controller and ZooKeeper (fake elector, no node-side split). */
class SplitRequestTest {

    private TestingServer zk;
    private CuratorFramework observer;
    private DropwizardTestSupport<ControllerConfiguration> ctl;

    @BeforeEach
    void start() throws Exception {
        FakeNodes.reset();
        zk = new TestingServer(true);
        observer = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        observer.start();
        ControllerTesting.registerNode(observer, "a", "r1");
        ControllerTesting.registerNode(observer, "b", "r2");
        ControllerTesting.registerNode(observer, "c", "r3");
        ctl = MovesTesting.controller(zk.getConnectString(), "ctl-a", 2);
        ctl.before();
        await("partitions online", 20_000, () -> {
            try {
                return partition(0).state() == PartitionState.ONLINE && partition(1).state() == PartitionState.ONLINE;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        ctl.after();
        observer.close();
        zk.close();
    }

    private PartitionRecord partition(int pid) throws Exception {
        return ZkCodec.read(observer, LAYOUT.partition("default", pid), PartitionRecord.class).orElseThrow().value();
    }

    private Versioned<KeyspaceRecord> keyspace() throws Exception {
        return ZkCodec.read(observer, LAYOUT.keyspace("default"), KeyspaceRecord.class).orElseThrow();
    }

    @Test
    void splitRequestWritesThePlanAndAllocatesChildIdsInOneWriteThenCompletionPublishesTheHalves() throws Exception {
        Versioned<KeyspaceRecord> ksBefore = keyspace();
        assertThat(ksBefore.value().nextPartitionId()).isEqualTo(2);
        PartitionRecord parent = partition(1);

        MovesTesting.Reply r = MovesTesting.post(ctl, "/admin/v1/partitions/default/1/split");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        PartitionRecord splitting = partition(1);
        assertThat(splitting.state()).isEqualTo(PartitionState.SPLITTING);
        assertThat(splitting.split().orElseThrow().lowerPartitionId()).isEqualTo(2);
        assertThat(splitting.split().orElseThrow().upperPartitionId()).isEqualTo(3);
        assertThat(splitting.leader()).isEqualTo(parent.leader());
        Versioned<KeyspaceRecord> ksAfter = keyspace();
        assertThat(ksAfter.value().nextPartitionId()).isEqualTo(4);
        assertThat(ksAfter.value().partitions()).isEqualTo(2); // the children do not exist yet
        assertThat(ksAfter.version()).isEqualTo(ksBefore.version() + 1);

        // A second request is refused, and allocates nothing.
        MovesTesting.Reply again = MovesTesting.post(ctl, "/admin/v1/partitions/default/1/split");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).contains("\"code\":\"OPERATION_IN_PROGRESS\"");
        assertThat(keyspace()).isEqualTo(ksAfter);

        MovesTesting.Reply done = MovesTesting.post(ctl, "/admin/v1/partitions/default/1/split/complete");
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        assertThat(partition(1).state()).isEqualTo(PartitionState.RETIRED);
        HashRange.Halves halves = parent.range().split();
        assertThat(partition(2).range()).isEqualTo(halves.lower());
        assertThat(partition(3).range()).isEqualTo(halves.upper());
        assertThat(keyspace().value().partitions()).isEqualTo(3);
        assertThat(HashRange.coversExactly(List.of(partition(0).range(), partition(2).range(), partition(3).range()))).isTrue();
        // Each child gets its own epoch from its own first election, above the parent's.
        await("children online", 20_000, () -> {
            try {
                return partition(2).state() == PartitionState.ONLINE && partition(3).state() == PartitionState.ONLINE;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(partition(2).leaderEpoch()).isGreaterThan(parent.leaderEpoch());
        assertThat(partition(3).leaderEpoch()).isGreaterThan(parent.leaderEpoch());

        MovesTesting.Reply retired = MovesTesting.post(ctl, "/admin/v1/partitions/default/1/split");
        assertThat(retired.status()).isEqualTo(404);
        assertThat(retired.body()).contains("\"code\":\"PARTITION_NOT_FOUND\"");
    }

    @Test
    void badSplitRequestsAnswer4xxWithStableCodesAndChangeNothing() throws Exception {
        Map<String, String> before = MovesTesting.snapshot(observer);
        Map<String, String[]> cases = Map.of(
                "/admin/v1/partitions/Bad!/0/split", new String[]{"400", "INVALID_KEYSPACE_NAME"},
                "/admin/v1/partitions/default/01/split", new String[]{"400", "INVALID_PARTITION_ID"},
                "/admin/v1/partitions/default/-1/split", new String[]{"400", "INVALID_PARTITION_ID"},
                "/admin/v1/partitions/default/x/split", new String[]{"400", "INVALID_PARTITION_ID"},
                "/admin/v1/partitions/default/99/split", new String[]{"404", "PARTITION_NOT_FOUND"},
                "/admin/v1/partitions/nope/0/split", new String[]{"404", "KEYSPACE_NOT_FOUND"},
                "/admin/v1/partitions/default/0/split/complete", new String[]{"400", "INVALID_ARGUMENT"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            MovesTesting.Reply r = MovesTesting.post(ctl, c.getKey());
            assertThat(r.status()).as(c.getKey() + " " + r.body()).isEqualTo(Integer.parseInt(c.getValue()[0]));
            assertThat(r.body()).as(c.getKey()).contains("\"code\":\"" + c.getValue()[1] + "\"");
        }
        ctl.<ControllerApplication>getApplication().loop().runOnce();
        assertThat(MovesTesting.snapshot(observer)).isEqualTo(before);
    }
}
