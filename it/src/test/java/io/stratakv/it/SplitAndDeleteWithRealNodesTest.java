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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Splits and keyspace deletion end to end (DESIGN.md §5), in-process: ZooKeeper, the controller,
 * three real storage nodes and a balancer. A split requested through the admin API under a stream
 * of writes through the balancer completes by itself (the nodes report their split, the controller
 * publishes the children and elects them), every acknowledged write stays readable, and the
 * parent's files disappear from every node; deleting a keyspace removes its files everywhere.
 */
class SplitAndDeleteWithRealNodesTest {

    private static final String CLUSTER = "it-split";
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
            String p = "split-node-" + id;
            DropwizardTestSupport<NodeConfiguration> n = new DropwizardTestSupport<>(NodeApplication.class, (String) null, p,
                    ConfigOverride.config(p, "nodeId", id),
                    ConfigOverride.config(p, "rack", "rack-" + id),
                    ConfigOverride.config(p, "dataDir", data.resolve(id).toString()),
                    ConfigOverride.config(p, "zookeeper.connect", zkServer.getConnectString()),
                    ConfigOverride.config(p, "zookeeper.cluster", CLUSTER),
                    ConfigOverride.config(p, "zookeeper.sessionTimeout", "4s"),
                    ConfigOverride.config(p, "storage.fsyncPolicy", "ALWAYS"),
                    ConfigOverride.config(p, "storage.memtableSize", "4MiB"),
                    ConfigOverride.config(p, "storage.blockCacheSize", "8MiB"),
                    ConfigOverride.config(p, "storage.minFreeSpace", "1MiB"),
                    ConfigOverride.config(p, "replication.reconcileInterval", "300ms"),
                    ConfigOverride.config(p, "server.applicationConnectors[0].port", "0"),
                    ConfigOverride.config(p, "server.adminConnectors[0].port", "0"),
                    ConfigOverride.config(p, "logging.level", "WARN"));
            n.before();
            nodes.put(id, n);
        }
        String c = "split-ctl";
        controller = new DropwizardTestSupport<>(ControllerApplication.class, (String) null, c,
                ConfigOverride.config(c, "controllerId", "controller-1"),
                ConfigOverride.config(c, "zookeeper.connect", zkServer.getConnectString()),
                ConfigOverride.config(c, "zookeeper.cluster", CLUSTER),
                ConfigOverride.config(c, "zookeeper.sessionTimeout", "4s"),
                ConfigOverride.config(c, "reconcileInterval", "300ms"),
                ConfigOverride.config(c, "healthPollInterval", "300ms"),
                ConfigOverride.config(c, "healthGracePeriod", "2s"),
                ConfigOverride.config(c, "defaultKeyspace.partitions", "2"),
                ConfigOverride.config(c, "defaultKeyspace.replicationFactor", "3"),
                ConfigOverride.config(c, "server.applicationConnectors[0].port", "0"),
                ConfigOverride.config(c, "server.adminConnectors[0].port", "0"),
                ConfigOverride.config(c, "logging.level", "WARN"));
        controller.before();
        String b = "split-bal";
        balancer = new DropwizardTestSupport<>(BalancerApplication.class, (String) null, b,
                ConfigOverride.config(b, "zookeeper.connect", zkServer.getConnectString()),
                ConfigOverride.config(b, "zookeeper.cluster", CLUSTER),
                ConfigOverride.config(b, "reconcileInterval", "300ms"),
                ConfigOverride.config(b, "server.applicationConnectors[0].port", "0"),
                ConfigOverride.config(b, "server.adminConnectors[0].port", "0"),
                ConfigOverride.config(b, "logging.level", "WARN"));
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

    private List<PartitionRecord> partitions(String ks) {
        List<PartitionRecord> out = new ArrayList<>();
        try {
            if (zk.checkExists().forPath(layout.partitions(ks)) == null) {
                return out;
            }
            for (String pid : zk.getChildren().forPath(layout.partitions(ks))) {
                ZkCodec.read(zk, layout.partition(ks, Integer.parseInt(pid)), PartitionRecord.class)
                        .map(Versioned::value).ifPresent(out::add);
            }
        } catch (Exception e) {
            return List.of();
        }
        out.sort((a, b) -> Integer.compare(a.partitionId(), b.partitionId()));
        return out;
    }

    private Optional<PartitionRecord> partition(String ks, int pid) {
        return partitions(ks).stream().filter(p -> p.partitionId() == pid).findFirst();
    }

    private boolean online(String ks, int count) {
        List<PartitionRecord> ps = partitions(ks);
        return ps.size() == count && ps.stream().allMatch(p -> p.state() == PartitionState.ONLINE && p.leader().isPresent());
    }

    private URI viaBalancer(String ks, String key, String query) {
        String k = URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
        return URI.create("http://127.0.0.1:" + balancer.getLocalPort() + "/v1/kv/" + ks + "/" + k + "?" + query);
    }

    private HttpResponse<String> put(String ks, String key, String value, String requestId) throws Exception {
        return http.send(HttpRequest.newBuilder(viaBalancer(ks, key, "consistency=QUORUM&timeoutMs=15000"))
                .header("X-Request-Id", requestId).PUT(HttpRequest.BodyPublishers.ofString(value)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String ks, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(viaBalancer(ks, key, "consistency=STRONG")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> admin(String method, String path, String json) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.getLocalPort() + path));
        r = json == null ? r.method(method, HttpRequest.BodyPublishers.noBody())
                : r.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSplitUnderWritesThroughTheBalancerCompletesByItselfAndLosesNothing() throws Exception {
        await("both partitions of the default keyspace have a leader", 30_000, () -> online(KS, 2));
        Map<String, String> acked = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int wid = w;
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String key = "sk-" + wid + "-" + i;
                    try {
                        HttpResponse<String> r = put(KS, key, "v" + i, "rid-" + key);
                        if (r.statusCode() == 200) {
                            acked.put(key, "v" + i);
                        }
                    } catch (Exception e) {
                        // not acknowledged: not checked
                    }
                }
            }));
        }
        await("writes flow before the split", 30_000, () -> acked.size() > 150);
        PartitionRecord parent = partition(KS, 1).orElseThrow();
        HttpResponse<String> req = admin("POST", "/admin/v1/partitions/" + KS + "/1/split", null);
        assertThat(req.statusCode()).as(req.body()).isEqualTo(202);

        await("the controller completes the split and elects both children", 60_000, () ->
                partition(KS, 1).map(p -> p.state() == PartitionState.RETIRED).orElse(false)
                        && partition(KS, 2).map(p -> p.state() == PartitionState.ONLINE).orElse(false)
                        && partition(KS, 3).map(p -> p.state() == PartitionState.ONLINE).orElse(false));
        int before = acked.size();
        await("writes flow to the children", 30_000, () -> acked.size() > before + 100);
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }

        PartitionRecord lower = partition(KS, 2).orElseThrow();
        PartitionRecord upper = partition(KS, 3).orElseThrow();
        assertThat(lower.range()).isEqualTo(parent.range().split().lower());
        assertThat(upper.range()).isEqualTo(parent.range().split().upper());
        assertThat(lower.leader()).isPresent();
        assertThat(upper.leader()).isPresent();
        assertThat(lower.leaderEpoch()).isGreaterThan(parent.leaderEpoch());
        assertThat(upper.leaderEpoch()).isGreaterThan(parent.leaderEpoch());
        List<HashRange> ranges = partitions(KS).stream().filter(p -> p.state() != PartitionState.RETIRED)
                .map(PartitionRecord::range).toList();
        assertThat(HashRange.coversExactly(ranges)).isTrue();

        int onChildren = 0;
        for (Map.Entry<String, String> e : acked.entrySet()) {
            HttpResponse<String> r = get(KS, e.getKey());
            assertThat(r.statusCode()).as("%s -> %s", e.getKey(), r.body()).isEqualTo(200);
            assertThat(r.body()).as(e.getKey()).isEqualTo(e.getValue());
            String servedBy = r.headers().firstValue("X-Strata-Partition").orElseThrow();
            assertThat(servedBy).as("no key is served by the retired parent").isNotEqualTo("1");
            if (servedBy.equals("2") || servedBy.equals("3")) {
                onChildren++;
            }
        }
        assertThat(onChildren).as("keys of the parent's range are now served by its children").isPositive();

        for (String n : nodes.keySet()) {
            Path parentDir = data.resolve(n).resolve(KS).resolve("1");
            await("the parent's files are gone on " + n, 30_000, () -> !Files.exists(parentDir));
            assertThat(data.resolve(n).resolve(KS).resolve("2")).isDirectory();
            assertThat(data.resolve(n).resolve(KS).resolve("3")).isDirectory();
        }
    }

    @Test
    void deletingAKeyspaceRemovesItsFilesFromEveryNode() throws Exception {
        await("the default keyspace has leaders", 30_000, () -> online(KS, 2));
        HttpResponse<String> created = admin("POST", "/admin/v1/keyspaces",
                "{\"name\":\"temp\",\"partitions\":2,\"replicationFactor\":3}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        await("the temp keyspace has leaders", 30_000, () -> online("temp", 2));
        for (int i = 0; i < 20; i++) {
            String key = "t" + i;
            await("write " + key, 30_000, () -> {
                try {
                    return put("temp", key, "x", "rid-temp-" + key).statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
        }
        for (String n : nodes.keySet()) {
            assertThat(data.resolve(n).resolve("temp")).isDirectory();
        }
        HttpResponse<String> deleted = admin("DELETE", "/admin/v1/keyspaces/temp", null);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
        for (String n : nodes.keySet()) {
            Path ksDir = data.resolve(n).resolve("temp");
            await("the temp keyspace's files are gone on " + n, 30_000, () -> !Files.exists(ksDir));
            assertThat(data.resolve(n).resolve(KS)).isDirectory(); // other keyspaces untouched
        }
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
