package io.stratakv.controller;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.fence.ControllerEpochs;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedWrite;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.KeyspaceState;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.retry.RetryNTimes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.stratakv.controller.ControllerTesting.await;

/**
 * Election tests' world: a real ZooKeeper (given by its connect string), fake nodes registered in
 * it, partitions seeded by the test as a previous controller would have left them, real
 * controllers, and a recorder of every leader ZooKeeper showed for each epoch.
 */
final class ElectionHarness implements AutoCloseable {

    static final String KS = "ks";

    final ZkLayout layout = ZkLayout.forCluster(ControllerTesting.CLUSTER);
    final CuratorFramework observer;
    final Map<String, FakeNode> nodes = new LinkedHashMap<>();
    final List<DropwizardTestSupport<ControllerConfiguration>> controllers = new ArrayList<>();
    /** (partition, epoch) → every leader ever seen published for it. */
    final Map<String, Set<String>> leadersSeen = new ConcurrentHashMap<>();
    private final String connect;
    private final HttpClient http = HttpClient.newHttpClient();
    private ControllerFence setupFence;
    private CuratorCache history;

    ElectionHarness(String connect) throws Exception {
        this.connect = connect;
        observer = CuratorFrameworkFactory.newClient(connect, 5000, 3000, new RetryNTimes(200, 100));
        observer.start();
        observer.blockUntilConnected();
        for (String path : layout.containers()) {
            if (observer.checkExists().forPath(path) == null) {
                observer.create().creatingParentsIfNeeded().forPath(path);
            }
        }
        history = CuratorCache.build(observer, layout.partitions());
        history.listenable().addListener((type, old, data) -> {
            if (data != null && data.getData() != null && data.getData().length > 0
                    && data.getPath().split("/").length == layout.partition(KS, 0).split("/").length) {
                PartitionRecord r = ZkCodec.decode(data.getData(), PartitionRecord.class, data.getPath());
                r.leader().ifPresent(l -> leadersSeen.computeIfAbsent(r.keyspace() + "/" + r.partitionId() + "@"
                        + r.leaderEpoch(), k -> ConcurrentHashMap.newKeySet()).add(l));
            }
        });
        history.start();
    }

    FakeNode node(String id) throws Exception {
        FakeNode n = new FakeNode(id, "rack-" + id).register(connect, layout);
        nodes.put(id, n);
        return n;
    }

    /** A partition record as a controller (of the setup epoch) left it. */
    PartitionRecord record(int pid, int partitions, List<String> replicas, List<String> learners, long leaderEpoch,
                           PartitionState state, Optional<String> leader) {
        return new PartitionRecord(PartitionRecord.SCHEMA_V1, KS, pid, HashRange.partitionsOf(partitions).get(pid),
                replicas, learners, leader, leaderEpoch, state, setupFence().epoch(), Optional.empty(), Optional.empty());
    }

    /** Creates keyspace KS with these partitions, written with a fence of its own (a controller that has since died). */
    void seed(int replicationFactor, boolean unclean, PartitionRecord... partitions) throws Exception {
        KeyspaceRecord ks = new KeyspaceRecord(KeyspaceRecord.SCHEMA_V1, KS, partitions.length, replicationFactor,
                WriteConsistency.QUORUM, ReadConsistency.STRONG, unclean, Map.of(), Instant.now(), KeyspaceState.ACTIVE,
                partitions.length);
        FencedWrite w = FencedWrite.begin(observer, setupFence()).create(layout.keyspace(KS), ks)
                .create(layout.partitions(KS), new byte[0]);
        for (PartitionRecord p : partitions) {
            w.create(layout.partition(KS, p.partitionId()), p);
        }
        w.commit();
    }

    private ControllerFence setupFence() {
        if (setupFence == null) {
            try {
                setupFence = ControllerEpochs.bump(observer, layout, "test-setup");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return setupFence;
    }

    /** Starts a controller; {@code settings} are key, value pairs that replace the test defaults. */
    DropwizardTestSupport<ControllerConfiguration> startController(String id, String... settings) throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("healthPollInterval", "100ms");
        config.put("healthGracePeriod", "1500ms");
        config.put("nodeRequestTimeout", "1s");
        config.put("leaderTransferTimeout", "300ms");
        config.put("leaderBalancing", "false");
        for (int i = 0; i + 1 < settings.length; i += 2) {
            config.put(settings[i], settings[i + 1]);
        }
        // One override per key: a key given twice would depend on how the overrides are applied.
        DropwizardTestSupport<ControllerConfiguration> c = ControllerTesting.controller(connect, id, 0,
                config.entrySet().stream().map(e -> ConfigOverride.config(e.getKey(), e.getValue()))
                        .toArray(ConfigOverride[]::new));
        c.before();
        controllers.add(c);
        return c;
    }

    static ControllerApplication app(DropwizardTestSupport<ControllerConfiguration> s) {
        return s.getApplication();
    }

    DropwizardTestSupport<ControllerConfiguration> awaitActive() throws InterruptedException {
        await("a controller is active", 15_000, () -> controllers.stream().anyMatch(c -> app(c).leadership().isActing()));
        return controllers.stream().filter(c -> app(c).leadership().isActing()).findFirst().orElseThrow();
    }

    Versioned<PartitionRecord> partition(int pid) throws Exception {
        return ZkCodec.read(observer, layout.partition(KS, pid), PartitionRecord.class).orElseThrow();
    }

    PartitionRecord awaitPartition(int pid, String what, long millis,
                                   java.util.function.Predicate<PartitionRecord> condition) throws Exception {
        await("partition " + pid + " " + what, millis, () -> {
            try {
                return condition.test(partition(pid).value());
            } catch (Exception e) {
                return false;
            }
        });
        return partition(pid).value();
    }

    static MetricRegistry metrics(DropwizardTestSupport<ControllerConfiguration> c) {
        return c.getEnvironment().metrics();
    }

    record Answer(int status, String body) {
        ErrorBody error() throws Exception {
            return StrataJson.newMapper().readValue(body, ErrorBody.class);
        }
    }

    Answer post(DropwizardTestSupport<ControllerConfiguration> c, String path, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.getLocalPort() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    Answer get(DropwizardTestSupport<ControllerConfiguration> c, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.getLocalPort() + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    /** No epoch of any partition ever showed two different leaders. */
    void assertOneLeaderPerEpoch() {
        leadersSeen.forEach((k, v) -> {
            if (v.size() > 1) {
                throw new AssertionError("two leaders published for " + k + ": " + v);
            }
        });
    }

    @Override
    public void close() {
        for (DropwizardTestSupport<ControllerConfiguration> c : controllers) {
            try {
                c.after();
            } catch (Exception ignored) {
                // best effort
            }
        }
        nodes.values().forEach(FakeNode::close);
        history.close();
        observer.close();
    }
}
