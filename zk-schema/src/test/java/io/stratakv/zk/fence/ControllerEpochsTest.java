package io.stratakv.zk.fence;

import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.records.ControllerEpochRecord;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class ControllerEpochsTest {

    private static TestingServer server;
    private static CuratorFramework client;

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

    @Test
    void firstBumpCreatesEpochOneThenEachBumpAddsOne() throws Exception {
        ZkLayout layout = ZkLayout.forCluster("first");
        Clock clock = Clock.fixed(Instant.parse("2025-01-31T12:00:00Z"), ZoneOffset.UTC);
        ControllerFence a = ControllerEpochs.bump(client, layout, "ctl-a", clock);
        assertThat(a).isEqualTo(new ControllerFence(layout.controllerEpoch(), 1, 0, "ctl-a"));
        ControllerFence b = ControllerEpochs.bump(client, layout, "ctl-b", clock);
        assertThat(b).isEqualTo(new ControllerFence(layout.controllerEpoch(), 2, 1, "ctl-b"));
        Versioned<ControllerEpochRecord> now = ControllerEpochs.read(client, layout).orElseThrow();
        assertThat(now.value()).isEqualTo(ControllerEpochRecord.of(2, "ctl-b", clock.instant()));
        assertThat(now.version()).isEqualTo(b.version());
    }

    /** Four controllers bumping at once: every epoch is handed out exactly once. */
    @Test
    void concurrentBumpsHandOutEachEpochOnce() throws Exception {
        ZkLayout layout = ZkLayout.forCluster("race");
        int threads = 4;
        int bumpsEach = 25;
        ConcurrentLinkedQueue<ControllerFence> fences = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String id = "ctl-" + t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < bumpsEach; i++) {
                        fences.add(ControllerEpochs.bump(client, layout, id));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = threads * bumpsEach;
        assertThat(fences.stream().map(ControllerFence::epoch).sorted().toList())
                .isEqualTo(LongStream.rangeClosed(1, total).boxed().toList());
        assertThat(fences.stream().map(ControllerFence::version).distinct().count()).isEqualTo(total);
        for (ControllerFence f : fences) {
            assertThat(f.version()).as("epoch %d", f.epoch()).isEqualTo(f.epoch() - 1);
        }
        Versioned<ControllerEpochRecord> last = ControllerEpochs.read(client, layout).orElseThrow();
        assertThat(last.value().epoch()).isEqualTo(total);
        // Only the holder of the last epoch can still write.
        for (ControllerFence f : fences) {
            boolean active = f.epoch() == total;
            try {
                FencedWrite.begin(client, f).commit();
                assertThat(active).as("epoch %d wrote", f.epoch()).isTrue();
            } catch (FencedOutException e) {
                assertThat(active).as("epoch %d was fenced", f.epoch()).isFalse();
            }
        }
    }
}
