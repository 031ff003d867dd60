package io.stratakv.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.node.replica.Replica;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.FenceRequest;
import io.stratakv.zk.contract.FenceResponse;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.KeyspaceState;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real storage nodes (the Dropwizard app, each with its own ports and data directory) against a
 * real ZooKeeper, and the controller's part played by the test: it writes the keyspace and
 * partition znodes and runs elections the way DESIGN.md §4.3 says (record the epoch, fence the
 * replicas, publish the leader with a compare-and-set).
 */
final class NodeCluster implements AutoCloseable {

    static final String CLUSTER = "test";
    static final String KS = "kv";
    static final ObjectMapper JSON = StrataJson.newMapper();

    final TestingServer zkServer;
    final CuratorFramework zk;
    final ZkLayout layout = ZkLayout.forCluster(CLUSTER);
    final Path root;
    final Map<String, DropwizardTestSupport<NodeConfiguration>> nodes = new LinkedHashMap<>();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long controllerEpoch = 1;

    NodeCluster(Path root) throws Exception {
        this.root = root;
        zkServer = new TestingServer(true);
        zk = CuratorFrameworkFactory.newClient(zkServer.getConnectString(), new RetryOneTime(100));
        zk.start();
        zk.blockUntilConnected();
        for (String p : layout.containers()) {
            zk.create().creatingParentsIfNeeded().forPath(p);
        }
    }

    void start(String id) throws Exception {
        start(id, new ConfigOverride[0]);
    }

    /** Starts a node with the common test settings plus extra overrides (later ones win). */
    void start(String id, ConfigOverride... extra) throws Exception {
        List<ConfigOverride> overrides = new java.util.ArrayList<>(List.of(
                ConfigOverride.config("nodeId", id),
                ConfigOverride.config("dataDir", root.resolve(id).toString()),
                ConfigOverride.config("zookeeper.connect", zkServer.getConnectString()),
                ConfigOverride.config("zookeeper.cluster", CLUSTER),
                ConfigOverride.config("zookeeper.sessionTimeout", "4s"),
                ConfigOverride.config("storage.fsyncPolicy", "ALWAYS"),
                ConfigOverride.config("storage.memtableSize", "4MiB"),
                ConfigOverride.config("storage.blockCacheSize", "8MiB"),
                ConfigOverride.config("storage.minFreeSpace", "1MiB"),
                ConfigOverride.config("limits.maxKeySize", "1KiB"),
                ConfigOverride.config("limits.maxValueSize", "64KiB"),
                ConfigOverride.config("limits.maxBodySize", "128KiB"),
                ConfigOverride.config("replication.reconcileInterval", "500ms"),
                ConfigOverride.config("server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("server.adminConnectors[0].port", "0"),
                ConfigOverride.config("logging.level", "WARN")));
        overrides.addAll(List.of(extra));
        DropwizardTestSupport<NodeConfiguration> s = new DropwizardTestSupport<>(NodeApplication.class, (String) null,
                overrides.toArray(new ConfigOverride[0]));
        s.before();
        nodes.put(id, s);
    }

    void stop(String id) {
        DropwizardTestSupport<NodeConfiguration> s = nodes.remove(id);
        if (s != null) {
            s.after();
        }
    }

    NodeApplication app(String id) {
        return nodes.get(id).getApplication();
    }

    Replica replica(String id) {
        return app(id).replicas().replica(KS, 0).orElseThrow();
    }

    URI base(String id) {
        return URI.create("http://127.0.0.1:" + nodes.get(id).getLocalPort());
    }

    URI admin(String id) {
        return URI.create("http://127.0.0.1:" + nodes.get(id).getAdminPort());
    }

    com.codahale.metrics.MetricRegistry metrics(String id) {
        return nodes.get(id).getEnvironment().metrics();
    }

    // ------------------------------------------------------------------------------------ the controller's part

    /** One partition covering the whole hash ring, replicas as given, state ELECTING at epoch 1. */
    void createPartition(List<String> replicas) throws Exception {
        KeyspaceRecord ks = KeyspaceRecord.creating(KS, 1, replicas.size(), WriteConsistency.QUORUM,
                ReadConsistency.STRONG, false, Map.of(), Instant.now()).withState(KeyspaceState.ACTIVE);
        zk.create().forPath(layout.keyspace(KS), ZkCodec.encode(ks));
        PartitionRecord p = PartitionRecord.initial(KS, 0, HashRange.full(), replicas, controllerEpoch)
                .electing(controllerEpoch);
        zk.create().creatingParentsIfNeeded().forPath(layout.partition(KS, 0), ZkCodec.encode(p));
    }

    Versioned<PartitionRecord> record() throws Exception {
        return ZkCodec.read(zk, layout.partition(KS, 0), PartitionRecord.class).orElseThrow();
    }

    void cas(Versioned<PartitionRecord> before, PartitionRecord after) throws Exception {
        zk.setData().withVersion(before.version()).forPath(layout.partition(KS, 0), ZkCodec.encode(after));
    }

    /** Starts an election: the next epoch, no leader. Returns the new epoch. */
    long startElection() throws Exception {
        Versioned<PartitionRecord> r = record();
        PartitionRecord next = r.value().electing(controllerEpoch);
        cas(r, next);
        return next.leaderEpoch();
    }

    /** Fences the given nodes at the record's epoch and publishes leader with a compare-and-set. */
    void elect(String leader, List<String> fenced) throws Exception {
        Versioned<PartitionRecord> r = record();
        for (String id : fenced) {
            FenceResponse f = fence(id, r.value().leaderEpoch(), r.value().replicas());
            assertThat(f.fencedEpoch()).isEqualTo(r.value().leaderEpoch());
        }
        cas(r, r.value().online(leader, controllerEpoch));
    }

    FenceResponse fence(String id, long epoch, List<String> replicas) throws Exception {
        FenceRequest req = new FenceRequest(KS, 0, epoch, controllerEpoch, replicas, List.of());
        HttpResponse<byte[]> resp = post(base(id).resolve("/internal/v1/partitions/" + KS + "/0/fence"),
                JSON.writeValueAsBytes(req), "application/json");
        assertThat(resp.statusCode()).as(new String(resp.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return JSON.readValue(resp.body(), FenceResponse.class);
    }

    // ------------------------------------------------------------------------------------ the data API

    HttpResponse<byte[]> put(String id, String key, String value, String query) throws Exception {
        URI u = kv(id, key, query);
        return http.send(HttpRequest.newBuilder(u).PUT(HttpRequest.BodyPublishers.ofByteArray(
                value.getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> get(String id, String key, String query) throws Exception {
        return http.send(HttpRequest.newBuilder(kv(id, key, query)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    URI kv(String id, String key, String query) {
        String k = URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
        return base(id).resolve("/v1/kv/" + KS + "/" + k + (query == null || query.isEmpty() ? "" : "?" + query));
    }

    HttpResponse<byte[]> post(URI u, byte[] body, String type) throws Exception {
        return http.send(HttpRequest.newBuilder(u).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static long offsetOf(HttpResponse<byte[]> resp) throws Exception {
        return JSON.readTree(resp.body()).get("offset").asLong();
    }

    static String errorCode(HttpResponse<byte[]> resp) throws Exception {
        return JSON.readTree(resp.body()).get("code").asText();
    }

    static String text(HttpResponse<byte[]> resp) {
        return new String(resp.body(), StandardCharsets.UTF_8);
    }

    /** Polls a condition that other threads make true; fails after the deadline. */
    static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    Optional<Replica> maybeReplica(String id) {
        return nodes.containsKey(id) ? app(id).replicas().replica(KS, 0) : Optional.empty();
    }

    @Override
    public void close() throws Exception {
        for (String id : List.copyOf(nodes.keySet())) {
            stop(id);
        }
        zk.close();
        zkServer.close();
    }

    static boolean isNoNode(Exception e) {
        return e instanceof KeeperException.NoNodeException;
    }
}
