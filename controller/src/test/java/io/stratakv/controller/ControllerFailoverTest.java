package io.stratakv.controller;

import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.controller.core.LeadershipState;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.fence.ControllerEpochs;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedOutException;
import io.stratakv.zk.fence.FencedWrite;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.stratakv.controller.ControllerTesting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControllerFailoverTest {

    private TestingServer zk;
    private DropwizardTestSupport<ControllerConfiguration> a;
    private DropwizardTestSupport<ControllerConfiguration> b;
    private CuratorFramework observer;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        observer = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        observer.start();
        a = ControllerTesting.controller(zk.getConnectString(), "controller-a", 0);
        b = ControllerTesting.controller(zk.getConnectString(), "controller-b", 0);
        a.before();
        b.before();
    }

    @AfterEach
    void stop() throws Exception {
        for (DropwizardTestSupport<?> s : new DropwizardTestSupport<?>[]{a, b}) {
            if (s != null) {
                s.after();
            }
        }
        observer.close();
        zk.close();
    }

    private static ControllerApplication app(DropwizardTestSupport<ControllerConfiguration> s) {
        return s.getApplication();
    }

    @Test
    void standbyTakesOverWhenTheActiveSessionExpiresAndTheDeposedControllerCannotWrite() throws Exception {
        await("one controller active", 10_000, () -> app(a).leadership().isActing() != app(b).leadership().isActing());
        DropwizardTestSupport<ControllerConfiguration> active = app(a).leadership().isActing() ? a : b;
        DropwizardTestSupport<ControllerConfiguration> standby = active == a ? b : a;
        ControllerFence oldFence = app(active).leadership().fence();
        assertThat(oldFence.epoch()).isEqualTo(1);
        assertThat(app(standby).leadership().state()).isEqualTo(LeadershipState.STANDBY);

        // The active controller's session expires (as after a long GC pause or a network cut).
        CuratorFramework activeClient = curatorOf(active);
        long start = System.nanoTime();
        activeClient.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

        await("the standby becomes active", 3_000 + 5_000, () -> app(standby).leadership().isActing());
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        ControllerFence newFence = app(standby).leadership().fence();
        assertThat(newFence.epoch()).isGreaterThan(oldFence.epoch());
        assertThat(tookMillis).as("takeover within the session timeout plus a margin").isLessThan(3_000 + 5_000);
        assertThat(ControllerEpochs.read(observer, ZkLayout.forCluster(ControllerTesting.CLUSTER)).orElseThrow().value().epoch())
                .isEqualTo(newFence.epoch());

        // A write by the deposed controller, forced with its old fence, is refused whole.
        String probe = ZkLayout.forCluster(ControllerTesting.CLUSTER).root() + "/probe";
        assertThatThrownBy(() -> FencedWrite.begin(observer, oldFence)
                .create(probe, "x".getBytes(StandardCharsets.UTF_8)).commit())
                .isInstanceOf(FencedOutException.class);
        assertThat(observer.checkExists().forPath(probe)).isNull();
        // The new controller's identical write goes through.
        FencedWrite.begin(observer, newFence).create(probe, "x".getBytes(StandardCharsets.UTF_8)).commit();
        assertThat(observer.checkExists().forPath(probe)).isNotNull();
        // The old active one rejoins as a standby, and epochs never went backwards.
        await("the deposed controller is a standby", 10_000, () -> !app(active).leadership().isActing());
    }

    @Test
    void aControllerStopsActingWhileItsConnectionIsSuspended() throws Exception {
        await("one controller active", 10_000, () -> app(a).leadership().isActing() || app(b).leadership().isActing());
        DropwizardTestSupport<ControllerConfiguration> active = app(a).leadership().isActing() ? a : b;
        zk.stop();
        await("the active controller stops acting", 5_000, () -> !app(active).leadership().isActing());
        assertThat(app(a).leadership().isActing() || app(b).leadership().isActing()).isFalse();
        zk.restart();
        await("a controller is active again", 15_000, () -> app(a).leadership().isActing() || app(b).leadership().isActing());
        DropwizardTestSupport<ControllerConfiguration> now = app(a).leadership().isActing() ? a : b;
        assertThat(app(now).leadership().fence().epoch()).isGreaterThanOrEqualTo(1);
    }

    private static CuratorFramework curatorOf(DropwizardTestSupport<ControllerConfiguration> s) {
        return app(s).curator();
    }
}
