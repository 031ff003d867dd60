package io.stratakv.controller;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.stratakv.controller.ControllerTesting.await;
import static io.stratakv.controller.MovesTesting.LAYOUT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The split duty of the control loop (SplitTask) against fake nodes that report their replicas'
 * split offsets and sizes: completion once every voter reported (or a majority, after the
 * configured wait), and automatic requests above {@code splits.autoSplitBytes}, one per keyspace
 * at a time.
 */
class SplitTaskTest {

    private static final String PREFIX = "splittask.";
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
    }

    private void startController(String autoSplitBytes, String majorityAfter) throws Exception {
        List<ConfigOverride> o = new ArrayList<>();
        for (String[] kv : new String[][]{
                {"controllerId", "ctl-a"}, {"zookeeper.connect", zk.getConnectString()},
                {"zookeeper.cluster", ControllerTesting.CLUSTER}, {"zookeeper.sessionTimeout", "3s"},
                {"reconcileInterval", "100ms"}, {"healthPollInterval", "100ms"}, {"defaultKeyspace.partitions", "2"},
                {"splits.autoSplitBytes", autoSplitBytes}, {"splits.completeWithMajorityAfter", majorityAfter},
                {"server.applicationConnectors[0].port", "0"}, {"server.adminConnectors[0].port", "0"},
                {"logging.level", "WARN"}}) {
            o.add(ConfigOverride.config(PREFIX, kv[0], kv[1]));
        }
        ctl = new DropwizardTestSupport<>(MovesTestApplication.class, (String) null, PREFIX, o.toArray(new ConfigOverride[0]));
        ctl.before();
        await("partitions led", 20_000, () -> led(0) && led(1));
    }

    @AfterEach
    void stop() throws Exception {
        if (ctl != null) {
            ctl.after();
        }
        observer.close();
        zk.close();
    }

    private Optional<PartitionRecord> partition(int pid) {
        try {
            return ZkCodec.read(observer, LAYOUT.partition("default", pid), PartitionRecord.class).map(v -> v.value());
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private boolean led(int pid) {
        return state(pid) == PartitionState.ONLINE || state(pid) == PartitionState.SPLITTING;
    }

    private PartitionState state(int pid) {
        return partition(pid).map(PartitionRecord::state).orElse(null);
    }

    private void passes(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            ctl.<ControllerApplication>getApplication().loop().runOnce();
            Thread.sleep(120); // a health poll (100 ms) between passes, so the task sees fresh reports
        }
    }

    @Test
    void completesOnceEveryVoterReportsItSplitNotBefore() throws Exception {
        startController("0B", "1h");
        assertThat(MovesTesting.post(ctl, "/admin/v1/partitions/default/1/split").status()).isEqualTo(202);
        passes(5);
        assertThat(state(1)).as("nobody split yet").isEqualTo(PartitionState.SPLITTING);
        FakeNodes.SPLIT_REPORTERS.addAll(List.of("a", "b"));
        passes(5);
        assertThat(state(1)).as("a majority reported, but the wait for the third is an hour").isEqualTo(PartitionState.SPLITTING);
        FakeNodes.SPLIT_REPORTERS.add("c");
        await("split completed", 10_000, () -> state(1) == PartitionState.RETIRED);
        await("children online, each with its own epoch", 20_000,
                () -> state(2) == PartitionState.ONLINE && state(3) == PartitionState.ONLINE);
        long parentEpoch = partition(1).orElseThrow().leaderEpoch();
        assertThat(partition(2).orElseThrow().leaderEpoch()).isGreaterThan(parentEpoch);
        assertThat(partition(3).orElseThrow().leaderEpoch()).isGreaterThan(parentEpoch);
        // The admin call stays, and is idempotent: a finished split answers with its children again.
        java.util.Map<String, String> before = MovesTesting.snapshot(observer);
        MovesTesting.Reply again = MovesTesting.post(ctl, "/admin/v1/partitions/default/1/split/complete");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.body()).contains("\"partitionId\":2").contains("\"partitionId\":3");
        assertThat(MovesTesting.snapshot(observer)).as("nothing written").isEqualTo(before);
    }

    @Test
    void completesWithAMajorityAfterTheConfiguredWait() throws Exception {
        startController("0B", "500ms");
        assertThat(MovesTesting.post(ctl, "/admin/v1/partitions/default/0/split").status()).isEqualTo(202);
        FakeNodes.SPLIT_REPORTERS.add("a");
        passes(8);
        assertThat(state(0)).as("one of three is no majority").isEqualTo(PartitionState.SPLITTING);
        FakeNodes.SPLIT_REPORTERS.add("b");
        long t0 = System.nanoTime();
        await("completed with a majority", 10_000, () -> state(0) == PartitionState.RETIRED);
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(400);
    }

    @Test
    void splitsAPartitionAboveTheSizeThresholdOnePerKeyspaceAtATime() throws Exception {
        FakeNodes.SIZES.put("default/0", 5L << 20);
        FakeNodes.SIZES.put("default/1", 5L << 20);
        startController("1MiB", "1h");
        await("one partition split requested", 10_000,
                () -> state(0) == PartitionState.SPLITTING || state(1) == PartitionState.SPLITTING);
        passes(5);
        assertThat(List.of(state(0), state(1))).as("one split at a time per keyspace")
                .containsOnlyOnce(PartitionState.SPLITTING).contains(PartitionState.ONLINE);
        FakeNodes.SPLIT_REPORTERS.addAll(List.of("a", "b", "c"));
        await("both split in turn", 20_000, () -> state(0) == PartitionState.RETIRED && state(1) == PartitionState.RETIRED);
        await("four children online", 20_000, () -> List.of(2, 3, 4, 5).stream().allMatch(p -> state(p) == PartitionState.ONLINE));
        passes(5);
        assertThat(partition(6)).as("children below the threshold are not split").isEmpty();
    }
}
