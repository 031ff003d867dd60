package io.stratakv.it;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.balancer.BalancerApplication;
import io.stratakv.balancer.BalancerConfiguration;
import io.stratakv.controller.ControllerApplication;
import io.stratakv.controller.ControllerConfiguration;
import io.stratakv.node.NodeApplication;
import io.stratakv.node.NodeConfiguration;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.hash.KeyHash;
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
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controller and a balancer against real storage nodes (not fakes): it bootstraps the default keyspace, elects
 * every partition's leader through the nodes' real fence endpoints, the nodes serve QUORUM writes
 * and STRONG reads, and when a leader's node stops the controller elects another replica at a higher
 * epoch that still holds every acknowledged write.
 */
class ControllerWithRealNodesTest {

    private static final String CLUSTER = "it";
    private static final String KS = "default";
    private final ZkLayout layout = ZkLayout.forCluster(CLUSTER);
    private final HttpClient http = HttpClient.newHttpClient();
    private TestingServer zkServer;
    private CuratorFramework zk;
    private final Map<String, DropwizardTestSupport<NodeConfiguration>> nodes = new LinkedHashMap<>();
    private DropwizardTestSupport<ControllerConfiguration> controller;
    private DropwizardTestSupport<BalancerConfiguration> balancer;

    @TempDir
    Path data;

    @BeforeEach
    void start() throws Exception {
        zkServer = new TestingServer(true);
        zk = CuratorFrameworkFactory.newClient(zkServer.getConnectString(), new RetryOneTime(100));
        zk.start();
        zk.blockUntilConnected();
        for (String id : List.of("n1", "n2", "n3")) {
            DropwizardTestSupport<NodeConfiguration> n = new DropwizardTestSupport<>(NodeApplication.class, (String) null,
                    "node-" + id,
                    ConfigOverride.config("node-" + id, "nodeId", id),
                    ConfigOverride.config("node-" + id, "rack", "rack-" + id),
                    ConfigOverride.config("node-" + id, "dataDir", data.resolve(id).toString()),
                    ConfigOverride.config("node-" + id, "zookeeper.connect", zkServer.getConnectString()),
                    ConfigOverride.config("node-" + id, "zookeeper.cluster", CLUSTER),
                    ConfigOverride.config("node-" + id, "zookeeper.sessionTimeout", "4s"),
                    ConfigOverride.config("node-" + id, "storage.fsyncPolicy", "ALWAYS"),
                    ConfigOverride.config("node-" + id, "storage.memtableSize", "4MiB"),
                    ConfigOverride.config("node-" + id, "storage.blockCacheSize", "8MiB"),
                    ConfigOverride.config("node-" + id, "storage.minFreeSpace", "1MiB"),
                    ConfigOverride.config("node-" + id, "replication.reconcileInterval", "300ms"),
                    ConfigOverride.config("node-" + id, "server.applicationConnectors[0].port", "0"),
                    ConfigOverride.config("node-" + id, "server.adminConnectors[0].port", "0"),
                    ConfigOverride.config("node-" + id, "logging.level", "WARN"));
            n.before();
            nodes.put(id, n);
        }
        controller = new DropwizardTestSupport<>(ControllerApplication.class, (String) null, "ctl",
                ConfigOverride.config("ctl", "controllerId", "controller-1"),
                ConfigOverride.config("ctl", "zookeeper.connect", zkServer.getConnectString()),
                ConfigOverride.config("ctl", "zookeeper.cluster", CLUSTER),
                ConfigOverride.config("ctl", "zookeeper.sessionTimeout", "4s"),
                ConfigOverride.config("ctl", "reconcileInterval", "300ms"),
                ConfigOverride.config("ctl", "healthPollInterval", "300ms"),
                ConfigOverride.config("ctl", "healthGracePeriod", "2s"),
                ConfigOverride.config("ctl", "defaultKeyspace.partitions", "4"),
                ConfigOverride.config("ctl", "defaultKeyspace.replicationFactor", "3"),
                ConfigOverride.config("ctl", "server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("ctl", "server.adminConnectors[0].port", "0"),
                ConfigOverride.config("ctl", "logging.level", "WARN"));
        controller.before();
        balancer = new DropwizardTestSupport<>(BalancerApplication.class, (String) null, "bal",
                ConfigOverride.config("bal", "zookeeper.connect", zkServer.getConnectString()),
                ConfigOverride.config("bal", "zookeeper.cluster", CLUSTER),
                ConfigOverride.config("bal", "reconcileInterval", "300ms"),
                ConfigOverride.config("bal", "server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("bal", "server.adminConnectors[0].port", "0"),
                ConfigOverride.config("bal", "logging.level", "WARN"));
        balancer.before();
    }

    @AfterEach
    void stop() throws Exception {
        if (balancer != null) {
            balancer.after();
        }
        if (controller != null) {
            controller.after();
        }
        for (DropwizardTestSupport<NodeConfiguration> n : nodes.values()) {
            n.after();
        }
        zk.close();
        zkServer.close();
    }

    private List<PartitionRecord> partitions() throws Exception {
        List<PartitionRecord> out = new ArrayList<>();
        if (zk.checkExists().forPath(layout.partitions(KS)) == null) {
            return out;
        }
        for (String pid : zk.getChildren().forPath(layout.partitions(KS))) {
            ZkCodec.read(zk, layout.partition(KS, Integer.parseInt(pid)), PartitionRecord.class)
                    .map(Versioned::value).ifPresent(out::add);
        }
        out.sort((a, b) -> Integer.compare(a.partitionId(), b.partitionId()));
        return out;
    }

    private boolean allOnline() {
        try {
            List<PartitionRecord> ps = partitions();
            return ps.size() == 4 && ps.stream().allMatch(p -> p.state() == PartitionState.ONLINE && p.leader().isPresent());
        } catch (Exception e) {
            return false;
        }
    }

    private PartitionRecord partitionOf(String key) throws Exception {
        List<PartitionRecord> ps = partitions();
        List<HashRange> ranges = ps.stream().map(PartitionRecord::range).toList();
        return ps.get(HashRange.find(ranges, KeyHash.hash(key.getBytes(StandardCharsets.UTF_8))));
    }

    private URI kv(String nodeId, String key, String query) {
        String k = URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
        return URI.create("http://127.0.0.1:" + nodes.get(nodeId).getLocalPort() + "/v1/kv/" + KS + "/" + k + "?" + query);
    }

    private HttpResponse<String> put(String nodeId, String key, String value) throws Exception {
        return http.send(HttpRequest.newBuilder(kv(nodeId, key, "consistency=QUORUM"))
                .PUT(HttpRequest.BodyPublishers.ofString(value)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String nodeId, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(kv(nodeId, key, "consistency=STRONG")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void controllerElectsRealNodesAndFailsOverWithoutLosingAcknowledgedWrites() throws Exception {
        await("every partition of the default keyspace has a leader", 30_000, this::allOnline);
        for (PartitionRecord p : partitions()) {
            assertThat(p.replicas()).containsExactlyInAnyOrder("n1", "n2", "n3");
            assertThat(p.leaderEpoch()).isGreaterThanOrEqualTo(1);
        }

        Map<String, String> acked = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            String key = "key-" + i;
            PartitionRecord p = partitionOf(key);
            HttpResponse<String> r = put(p.leader().orElseThrow(), key, "value-" + i);
            assertThat(r.statusCode()).as("%s -> %s", key, r.body()).isEqualTo(200);
            acked.put(key, "value-" + i);
        }

        // Stop the node leading the partition of key-0: the controller must elect another replica.
        PartitionRecord before = partitionOf("key-0");
        String victim = before.leader().orElseThrow();
        nodes.remove(victim).after();
        await("a new leader for partition " + before.partitionId(), 30_000, () -> {
            try {
                PartitionRecord now = partitionOf("key-0");
                return now.state() == PartitionState.ONLINE && now.leader().isPresent()
                        && !now.leader().get().equals(victim) && now.leaderEpoch() > before.leaderEpoch();
            } catch (Exception e) {
                return false;
            }
        });

        // Every acknowledged write is still there, read linearizably from the current leaders.
        for (Map.Entry<String, String> e : acked.entrySet()) {
            await("a leader serving " + e.getKey(), 30_000, () -> {
                try {
                    PartitionRecord p = partitionOf(e.getKey());
                    return p.leader().isPresent() && !p.leader().get().equals(victim)
                            && get(p.leader().get(), e.getKey()).statusCode() == 200;
                } catch (Exception ex) {
                    return false;
                }
            });
            PartitionRecord p = partitionOf(e.getKey());
            assertThat(get(p.leader().orElseThrow(), e.getKey()).body()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    private URI viaBalancer(String key, String query) {
        String k = URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
        return URI.create("http://127.0.0.1:" + balancer.getLocalPort() + "/v1/kv/" + k + "?" + query);
    }

    /**
     * The whole path: client → balancer → leader node, through a leader failover. The balancer
     * follows the new leader by itself (ZooKeeper and NOT_LEADER answers); the client only retries
     * what the balancer reports as retryable.
     */
    @Test
    void writesAndReadsThroughTheBalancerSurviveALeaderFailover() throws Exception {
        await("every partition of the default keyspace has a leader", 30_000, this::allOnline);
        Map<String, String> acked = new LinkedHashMap<>();
        for (int i = 0; i < 30; i++) {
            String key = "bk-" + i;
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(viaBalancer(key, "consistency=QUORUM"))
                    .PUT(HttpRequest.BodyPublishers.ofString("v" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s -> %s", key, r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Strata-Partition")).isPresent();
            acked.put(key, "v" + i);
        }
        String victim = partitionOf("bk-0").leader().orElseThrow();
        nodes.remove(victim).after();
        for (Map.Entry<String, String> e : acked.entrySet()) {
            await("the balancer serves " + e.getKey() + " after the failover", 30_000, () -> {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(viaBalancer(e.getKey(), "consistency=STRONG"))
                            .GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        assertThat(r.body()).as(e.getKey()).isEqualTo(e.getValue());
                        return true;
                    }
                    return false;
                } catch (java.io.IOException | InterruptedException ex) {
                    return false;
                }
            });
        }
        HttpResponse<String> after = http.send(HttpRequest.newBuilder(viaBalancer("bk-0", "consistency=QUORUM"))
                .PUT(HttpRequest.BodyPublishers.ofString("after")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    }

    private static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
