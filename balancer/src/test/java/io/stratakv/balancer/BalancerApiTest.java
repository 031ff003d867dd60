package io.stratakv.balancer;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.balancer.FakeNode.Reply;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.NodeLive;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The balancer's multi-partition API against a real ZooKeeper and fake nodes that implement the
 * node's batch and scan endpoints over one sorted map ({@link FakeStore}): batch split and merge
 * with partial failures, scan merge order, limits and continuation across pages and a map change,
 * SESSION token routing, active health, metrics.
 */
class BalancerApiTest {

    private static final String CLUSTER = "balapi";
    private static final String P = "balapi"; // system-property prefix of this app's overrides
    private static final ZkLayout LAYOUT = ZkLayout.forCluster(CLUSTER);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static TestingServer zk;
    private static CuratorFramework admin;
    private static DropwizardTestSupport<BalancerConfiguration> balancer;
    private final List<FakeNode> fakes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        zk = new TestingServer(true);
        admin = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryNTimes(3, 100));
        admin.start();
        admin.blockUntilConnected();
        for (String p : LAYOUT.containers()) {
            admin.create().creatingParentsIfNeeded().forPath(p);
        }
        balancer = new DropwizardTestSupport<>(BalancerApplication.class, (String) null, P,
                ConfigOverride.config(P, "zookeeper.connect", zk.getConnectString()),
                ConfigOverride.config(P, "zookeeper.cluster", CLUSTER),
                ConfigOverride.config(P, "reconcileInterval", "300ms"),
                ConfigOverride.config(P, "requests.defaultTimeout", "3s"),
                ConfigOverride.config(P, "requests.backoffBase", "5ms"),
                ConfigOverride.config(P, "requests.backoffMax", "50ms"),
                ConfigOverride.config(P, "limits.maxBatchKeys", "50"),
                ConfigOverride.config(P, "health.interval", "50ms"),
                ConfigOverride.config(P, "health.unhealthyAfter", "2"),
                ConfigOverride.config(P, "server.applicationConnectors[0].port", "0"),
                ConfigOverride.config(P, "server.adminConnectors[0].port", "0"),
                ConfigOverride.config(P, "logging.level", System.getProperty("strata.test.log", "WARN")));
        balancer.before();
    }

    @AfterAll
    static void stop() throws Exception {
        balancer.after();
        admin.close();
        zk.close();
    }

    @AfterEach
    void closeFakes() {
        fakes.forEach(FakeNode::close);
    }

    // ------------------------------------------------------------------------------ fixtures

    private FakeNode fake(String id, boolean live) throws Exception {
        FakeNode n = new FakeNode(id);
        fakes.add(n);
        admin.create().forPath(LAYOUT.registeredNode(id), ZkCodec.encode(Records.node(id, n.port())));
        if (live) {
            admin.create().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.liveNode(id),
                    ZkCodec.encode(NodeLive.of(id, 1, Instant.now(), "test")));
        }
        return n;
    }

    /** A keyspace of {@code leaders.size()} partitions; partition i led by leaders[i] with every fake a replica. */
    private static void keyspace(String ks, ReadConsistency read, List<String> leaders, List<String> replicas)
            throws Exception {
        admin.create().forPath(LAYOUT.keyspace(ks), ZkCodec.encode(Records.keyspace(ks, leaders.size(), read)));
        List<HashRange> ranges = HashRange.partitionsOf(leaders.size());
        for (int i = 0; i < leaders.size(); i++) {
            admin.create().creatingParentsIfNeeded().forPath(LAYOUT.partition(ks, i),
                    ZkCodec.encode(Records.online(ks, i, ranges.get(i), replicas, leaders.get(i), 1)));
        }
        Await.until("balancer routes " + ks, 5_000, () -> app().partitionMap().view().keyspace(ks)
                .map(k -> k.routed().size() == leaders.size() && k.complete()).orElse(false)
                && replicas.stream().allMatch(r -> app().partitionMap().view().dataAddress(r).isPresent()));
    }

    private static BalancerApplication app() {
        return balancer.getApplication();
    }

    private static int partitionOf(String ks, byte[] key) {
        return app().partitionMap().view().keyspace(ks).flatMap(k -> k.partitionFor(key))
                .map(PartitionRecord::partitionId).orElse(-1);
    }

    private static String url(String pathAndQuery) {
        return "http://127.0.0.1:" + balancer.getLocalPort() + pathAndQuery;
    }

    private static HttpResponse<String> post(String pathAndQuery, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(pathAndQuery)))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(pathAndQuery))).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(JsonNode b64) throws Exception {
        return new String(b64.binaryValue(), StandardCharsets.UTF_8);
    }

    private static String putBody(List<String> keys) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode items = body.putArray("items");
        for (String k : keys) {
            items.addObject().put("key", b64(k)).put("value", b64("v-" + k));
        }
        return body.toString();
    }

    private static String getBody(List<String> keys) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode arr = body.putArray("keys");
        keys.forEach(k -> arr.add(b64(k)));
        return body.toString();
    }

    private static String code(HttpResponse<String> r) throws Exception {
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.has("message") && body.has("retryable") && body.has("details"))
                .as("ErrorBody shape: %s", r.body()).isTrue();
        return body.get("code").asText();
    }

    /** Four partitions led by four fakes sharing one store. */
    private FakeStore fourPartitions(String ks, int pageSize) throws Exception {
        FakeStore store = new FakeStore(k -> partitionOf(ks, k), pageSize);
        List<String> ids = List.of(ks + "-a", ks + "-b", ks + "-c", ks + "-d");
        for (String id : ids) {
            fake(id, true).handler(store);
        }
        keyspace(ks, ReadConsistency.STRONG, ids, ids);
        return store;
    }

    private List<String> keys(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("key-" + (char) ('a' + i % 26) + "-" + i);
        }
        return out;
    }

    // ------------------------------------------------------------------------------ batches

    @Test
    void batchPutAndGetSplitByPartitionAndAnswerInRequestOrder() throws Exception {
        FakeStore store = fourPartitions("bat", 100);
        List<String> keys = keys(30);

        HttpResponse<String> put = post("/v1/kv/bat:batchPut?consistency=QUORUM", putBody(keys), "X-Request-Id", "req-1");

        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        JsonNode pr = JSON.readTree(put.body());
        assertThat(pr.get("failed").asInt()).isZero();
        assertThat(pr.get("unknown").asInt()).isZero();
        Set<Integer> partitionsWritten = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            JsonNode item = pr.get("results").get(i);
            assertThat(text(item.get("key"))).isEqualTo(keys.get(i));
            int pid = partitionOf("bat", keys.get(i).getBytes(StandardCharsets.UTF_8));
            assertThat(item.get("partition").asInt()).isEqualTo(pid);
            assertThat(item.get("status").asText()).isEqualTo("APPLIED");
            partitionsWritten.add(pid);
        }
        assertThat(partitionsWritten).hasSizeGreaterThan(1);
        assertThat(store.data).hasSize(30);
        // One sub-batch per partition, each to that partition's leader, with a derived request id.
        Set<String> subIds = new HashSet<>();
        for (FakeNode f : fakes) {
            for (FakeNode.Seen s : f.seen) {
                int pid = fakes.indexOf(f);
                for (JsonNode item : JSON.readTree(s.body()).get("items")) {
                    assertThat(partitionOf("bat", item.get("key").binaryValue())).isEqualTo(pid);
                }
                assertThat(s.header("X-Request-Id")).startsWith("req-1@");
                assertThat(s.query()).contains("consistency=QUORUM").contains("epoch=1");
                subIds.add(s.header("X-Request-Id"));
            }
        }
        assertThat(subIds).hasSize(partitionsWritten.size());
        // The session header lists the position of every partition written, in the request's format.
        String session = put.headers().firstValue("X-Strata-Session").orElseThrow();
        assertThat(session.split(",")).hasSize(partitionsWritten.size());
        assertThat(pr.get("positions").size()).isEqualTo(partitionsWritten.size());
        assertThat(put.headers().firstValue("X-Request-Id")).contains("req-1");

        List<String> asked = new ArrayList<>(keys.subList(0, 10));
        asked.add("missing");
        asked.add(keys.get(3)); // the same key twice: two answers
        HttpResponse<String> get = post("/v1/kv/bat:batchGet", getBody(asked));

        assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
        assertThat(get.headers().firstValue("X-Strata-Consistency")).contains("STRONG");
        JsonNode gr = JSON.readTree(get.body()).get("results");
        assertThat(gr).hasSize(asked.size());
        for (int i = 0; i < asked.size(); i++) {
            JsonNode item = gr.get(i);
            assertThat(text(item.get("key"))).isEqualTo(asked.get(i));
            if (asked.get(i).equals("missing")) {
                assertThat(item.get("found").asBoolean()).isFalse();
            } else {
                assertThat(text(item.get("value"))).isEqualTo("v-" + asked.get(i));
            }
        }
    }

    @Test
    void theDefaultKeyspaceHasBatchAndScanWithoutAName() throws Exception {
        fourPartitions("default", 5);
        List<String> keys = keys(12);

        HttpResponse<String> put = post("/v1/kv:batchPut", putBody(keys));
        HttpResponse<String> get = post("/v1/kv:batchGet", getBody(keys));
        List<String> scanned = scanAll("/v1/scan", 4, new ArrayList<>());

        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
        assertThat(JSON.readTree(get.body()).get("results")).allMatch(r -> r.get("found").asBoolean());
        assertThat(scanned).isEqualTo(new ArrayList<>(new TreeSet<>(keys)));
        assertThat(scanAll("/v1/scan/", 100, new ArrayList<>())).isEqualTo(scanned);
        HttpResponse<String> wrongMethod = get("/v1/kv:batchGet");
        assertThat(wrongMethod.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrongMethod.body()).get("details").get("reason").asText()).isEqualTo("bad_method");
    }

    @Test
    void aBatchWithOnePartitionDownSaysWhichItemsFailedAndWhichAreUnknown() throws Exception {
        FakeStore store = new FakeStore(k -> partitionOf("pf", k), 100);
        fake("pf-a", true).handler(store);
        fake("pf-b", true).always(Reply.unavailable(0)); // partition 1: no leader can serve
        fake("pf-c", true).handler(store);
        fake("pf-d", true).always(Reply.HANG); // partition 3: the write reaches it, no answer
        keyspace("pf", ReadConsistency.STRONG, List.of("pf-a", "pf-b", "pf-c", "pf-d"), List.of("pf-a", "pf-b", "pf-c", "pf-d"));
        List<String> keys = keys(40);

        HttpResponse<String> put = post("/v1/kv/pf:batchPut?timeoutMs=600", putBody(keys));

        assertThat(put.statusCode()).as(put.body()).isEqualTo(207);
        JsonNode body = JSON.readTree(put.body());
        int failed = 0;
        int unknown = 0;
        for (int i = 0; i < keys.size(); i++) {
            JsonNode item = body.get("results").get(i);
            int pid = partitionOf("pf", keys.get(i).getBytes(StandardCharsets.UTF_8));
            assertThat(item.get("partition").asInt()).isEqualTo(pid);
            switch (pid) {
                case 1 -> {
                    assertThat(item.get("outcome").asText()).isEqualTo("FAILED");
                    assertThat(item.get("error").get("code").asText()).isEqualTo("PARTITION_UNAVAILABLE");
                    assertThat(item.get("error").get("retryable").asBoolean()).isTrue();
                    failed++;
                }
                case 3 -> {
                    assertThat(item.get("outcome").asText()).isEqualTo("UNKNOWN");
                    assertThat(item.get("error").get("code").asText()).isEqualTo("TIMEOUT_UNKNOWN_OUTCOME");
                    unknown++;
                }
                default -> {
                    assertThat(item.get("status").asText()).isEqualTo("APPLIED");
                    assertThat(item.has("error")).isFalse();
                    assertThat(store.data).containsKey(keys.get(i).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(failed).isPositive();
        assertThat(unknown).isPositive();
        assertThat(body.get("failed").asInt()).isEqualTo(failed);
        assertThat(body.get("unknown").asInt()).isEqualTo(unknown);

        // A read of a down partition is FAILED, never UNKNOWN.
        HttpResponse<String> get = post("/v1/kv/pf:batchGet?timeoutMs=300", getBody(keys));
        assertThat(get.statusCode()).isEqualTo(207);
        for (JsonNode item : JSON.readTree(get.body()).get("results")) {
            if (item.has("error")) {
                assertThat(item.get("outcome").asText()).isEqualTo("FAILED");
            }
        }
    }

    @Test
    void badBatchesAnswerStableCodes() throws Exception {
        fourPartitions("bb", 100);
        record Case(String path, String body, int status, String code, String reason) {
        }
        List<Case> cases = List.of(
                new Case("/v1/kv/bb:batchGet", "{not json", 400, "INVALID_ARGUMENT", "bad_json"),
                new Case("/v1/kv/bb:batchGet", "[1,2]", 400, "INVALID_ARGUMENT", "bad_json"),
                new Case("/v1/kv/bb:batchGet", "{\"keys\":[]}", 400, "INVALID_ARGUMENT", "empty_batch"),
                new Case("/v1/kv/bb:batchGet", "{\"keys\":\"x\"}", 400, "INVALID_ARGUMENT", "bad_keys"),
                new Case("/v1/kv/bb:batchGet", "{\"keys\":[\"%%%\"]}", 400, "INVALID_ARGUMENT", "bad_keys"),
                new Case("/v1/kv/bb:batchGet", "{\"keys\":[\"\"]}", 400, "INVALID_ARGUMENT", "empty_key"),
                new Case("/v1/kv/bb:batchGet", getBody(keys(51)), 400, "INVALID_ARGUMENT", "too_many_keys"),
                new Case("/v1/kv/bb:batchPut", "{\"items\":[{\"key\":\"" + b64("k") + "\"}]}", 400, "INVALID_ARGUMENT", "bad_value"),
                new Case("/v1/kv/bb:batchPut", "{\"items\":[{\"key\":\"" + b64("k") + "\",\"delete\":true,\"ifVersion\":-1}]}",
                        400, "INVALID_ARGUMENT", "bad_if_version"),
                new Case("/v1/kv/bb:batchPut?consistency=ONE", "{\"items\":[{\"key\":\"" + b64("k")
                        + "\",\"delete\":true,\"ifVersion\":3}]}", 400, "INVALID_ARGUMENT", "condition_needs_commit"),
                new Case("/v1/kv/bb:batchPut?consistency=STRONG", putBody(List.of("k")), 400, "INVALID_ARGUMENT", "bad_consistency"),
                new Case("/v1/kv/bb:batchNope", "{}", 404, "NOT_FOUND", null),
                new Case("/v1/kv/nosuch:batchGet", getBody(List.of("k")), 404, "KEYSPACE_NOT_FOUND", null));
        for (Case c : cases) {
            HttpResponse<String> r = post(c.path(), c.body());
            assertThat(r.statusCode()).as("%s %s -> %s", c.path(), c.body(), r.body()).isEqualTo(c.status());
            assertThat(code(r)).as(c.path()).isEqualTo(c.code());
            if (c.reason() != null) {
                assertThat(JSON.readTree(r.body()).get("details").get("reason").asText()).as(c.body()).isEqualTo(c.reason());
            }
        }
        for (FakeNode f : fakes) {
            assertThat(f.seen).as("nothing bad reaches a node").isEmpty();
        }
    }

    // ------------------------------------------------------------------------------ scans

    private List<String> scanAll(String pathAndQuery, int limit, List<Integer> pageSizes) throws Exception {
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            String q = pathAndQuery + (pathAndQuery.contains("?") ? "&" : "?") + "limit=" + limit
                    + (token == null ? "" : "&continuation=" + token);
            HttpResponse<String> r = get(q);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("entries").size()).isLessThanOrEqualTo(limit);
            pageSizes.add(body.get("entries").size());
            for (JsonNode e : body.get("entries")) {
                assertThat(text(e.get("value"))).isEqualTo("v-" + text(e.get("key")));
                out.add(text(e.get("key")));
            }
            token = body.get("continuation").isNull() ? null : body.get("continuation").asText();
        } while (token != null);
        return out;
    }

    @Test
    void scanMergesEveryPartitionInKeyOrderWithLimitAndContinuation() throws Exception {
        fourPartitions("sc", 3); // nodes answer at most 3 entries a page: the merge crosses page boundaries
        List<String> keys = keys(45);
        keys.add("other-1");
        keys.add("other-2");
        assertThat(post("/v1/kv/sc:batchPut", putBody(keys)).statusCode()).isEqualTo(200);

        List<Integer> pages = new ArrayList<>();
        List<String> all = scanAll("/v1/scan/sc", 7, pages);

        assertThat(all).isEqualTo(new ArrayList<>(new TreeSet<>(keys)));
        assertThat(pages.subList(0, pages.size() - 1)).allMatch(n -> n == 7);

        List<String> prefixed = scanAll("/v1/scan/sc?prefix=key-b", 2, new ArrayList<>());
        assertThat(prefixed).isEqualTo(keys.stream().filter(k -> k.startsWith("key-b")).sorted().toList());

        List<String> range = scanAll("/v1/scan/sc?start=key-c&end=" + URLEncoder.encode("key-e", StandardCharsets.UTF_8), 5,
                new ArrayList<>());
        assertThat(range).isEqualTo(keys.stream().filter(k -> k.compareTo("key-c") >= 0 && k.compareTo("key-e") < 0)
                .sorted().toList());

        HttpResponse<String> one = get("/v1/scan/sc?limit=1000");
        assertThat(JSON.readTree(one.body()).get("continuation").isNull()).isTrue();
        assertThat(one.headers().firstValue("X-Strata-Consistency")).contains("STRONG");

        for (String bad : List.of("?limit=0", "?limit=1001", "?limit=x", "?prefix=a&start=b", "?start=z&end=a",
                "?continuation=!!!", "?continuation=AA", "?consistency=QUORUM")) {
            HttpResponse<String> r = get("/v1/scan/sc" + bad);
            assertThat(r.statusCode()).as(bad + " -> " + r.body()).isEqualTo(400);
            assertThat(code(r)).isEqualTo("INVALID_ARGUMENT");
        }
        assertThat(code(get("/v1/scan/nosuch"))).isEqualTo("KEYSPACE_NOT_FOUND");
    }

    @Test
    void aContinuationResumesAfterItsKeyOnThePartitionsOfANewMap() throws Exception {
        FakeStore store = fourPartitions("mc", 4);
        List<String> keys = keys(40);
        assertThat(post("/v1/kv/mc:batchPut", putBody(keys)).statusCode()).isEqualTo(200);
        List<String> sorted = new ArrayList<>(new TreeSet<>(keys));

        HttpResponse<String> first = get("/v1/scan/mc?limit=15");
        JsonNode body = JSON.readTree(first.body());
        List<String> got = new ArrayList<>();
        for (JsonNode e : body.get("entries")) {
            got.add(text(e.get("key")));
        }
        String token = body.get("continuation").asText();

        // Partition 0 splits: its two halves are published as partitions 4 and 5 on other leaders.
        PartitionRecord p0 = app().partitionMap().view().keyspace("mc").orElseThrow().routed().stream()
                .filter(p -> p.partitionId() == 0).findFirst().orElseThrow();
        HashRange.Halves halves = p0.range().split();
        List<String> replicas = p0.replicas();
        admin.create().forPath(LAYOUT.partition("mc", 4),
                ZkCodec.encode(Records.online("mc", 4, halves.lower(), replicas, "mc-b", 1)));
        admin.create().forPath(LAYOUT.partition("mc", 5),
                ZkCodec.encode(Records.online("mc", 5, halves.upper(), replicas, "mc-c", 1)));
        Await.until("the balancer routes the split halves", 5_000, () -> app().partitionMap().view().keyspace("mc")
                .map(k -> k.routed().stream().map(PartitionRecord::partitionId).toList().containsAll(List.of(4, 5))
                        && k.routed().stream().noneMatch(p -> p.partitionId() == 0)).orElse(false));
        int before = fakes.stream().mapToInt(f -> f.seen.size()).sum();

        String q = "/v1/scan/mc?limit=15&continuation=" + token;
        while (q != null) {
            HttpResponse<String> r = get(q);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode b = JSON.readTree(r.body());
            for (JsonNode e : b.get("entries")) {
                got.add(text(e.get("key")));
            }
            q = b.get("continuation").isNull() ? null : "/v1/scan/mc?limit=15&continuation=" + b.get("continuation").asText();
        }

        assertThat(got).isEqualTo(sorted);
        List<String> partitionsAsked = new ArrayList<>();
        fakes.forEach(f -> f.seen.stream().skip(0).filter(s -> s.path().startsWith("/v1/scan/"))
                .forEach(s -> partitionsAsked.add(s.query().replaceAll(".*partition=(\\d+).*", "$1"))));
        assertThat(partitionsAsked.subList(0, partitionsAsked.size())).contains("4", "5");
        assertThat(fakes.stream().mapToInt(f -> f.seen.size()).sum()).isGreaterThan(before);
        assertThat(store.data).hasSize(40);
    }

    // ------------------------------------------------------------------------------ session

    @Test
    void aSessionReadForwardsTheTokenOfItsPartitionOrGoesToTheLeader() throws Exception {
        FakeNode leader = fake("ss1", false).always(Reply.ok("from-leader")); // not live: a replica is picked first
        FakeNode replica = fake("ss2", true).always(Reply.ok("from-replica"));
        keyspace("ss", ReadConsistency.STRONG, List.of("ss1"), List.of("ss1", "ss2"));

        HttpResponse<String> withToken = get("/v1/kv/ss/k?consistency=SESSION", "X-Strata-Session", "3=9:99, 0=2:41");
        assertThat(withToken.statusCode()).isEqualTo(200);
        assertThat(withToken.body()).isEqualTo("from-replica");
        assertThat(withToken.headers().firstValue("X-Strata-Consistency")).contains("SESSION");
        assertThat(replica.seen.getLast().header("X-Strata-Position")).isEqualTo("2:41");
        assertThat(replica.seen.getLast().header("X-Strata-Session")).isNull();

        HttpResponse<String> otherPartition = get("/v1/kv/ss/k?consistency=SESSION", "X-Strata-Session", "3=9:99");
        assertThat(otherPartition.body()).isEqualTo("from-leader");
        assertThat(leader.seen.getLast().header("X-Strata-Position")).isEqualTo("0:0");

        HttpResponse<String> none = get("/v1/kv/ss/k?consistency=SESSION");
        assertThat(none.body()).isEqualTo("from-leader");

        HttpResponse<String> plain = get("/v1/kv/ss/k?consistency=SESSION", "X-Strata-Position", "2:7");
        assertThat(plain.body()).isEqualTo("from-replica");
        assertThat(replica.seen.getLast().header("X-Strata-Position")).isEqualTo("2:7");

        for (String bad : List.of("0=1", "x=1:2", "0=1:-2", "0:1:2", "=1:2")) {
            HttpResponse<String> r = get("/v1/kv/ss/k?consistency=SESSION", "X-Strata-Session", bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("details").get("reason").asText()).isEqualTo("bad_session");
        }
    }

    @Test
    void aSessionBatchGetSendsEachPartitionItsOwnToken() throws Exception {
        fourPartitions("sb", 100);
        List<String> keys = keys(20);
        HttpResponse<String> put = post("/v1/kv/sb:batchPut", putBody(keys));
        String session = put.headers().firstValue("X-Strata-Session").orElseThrow();
        Map<String, String> byPid = new HashMap<>();
        for (String e : session.split(",")) {
            byPid.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        }
        fakes.forEach(f -> f.seen.clear());

        HttpResponse<String> get = post("/v1/kv/sb:batchGet?consistency=SESSION", getBody(keys), "X-Strata-Session", session);

        assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
        int checked = 0;
        for (FakeNode f : fakes) {
            for (FakeNode.Seen s : f.seen) {
                int pid = partitionOf("sb", JSON.readTree(s.body()).get("keys").get(0).binaryValue());
                assertThat(s.header("X-Strata-Position")).isEqualTo(byPid.get(Integer.toString(pid)));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(byPid.size());
    }

    // ------------------------------------------------------------------------------ health and metrics

    @Test
    void activeHealthMarksANodeDownThenUpAndEventualReadsAvoidItMeanwhile() throws Exception {
        FakeNode h1 = fake("hh1", true).always(Reply.ok("h1"));
        FakeNode h2 = fake("hh2", true).always(Reply.ok("h2"));
        FakeNode h3 = fake("hh3", true).always(Reply.ok("h3"));
        keyspace("hh", ReadConsistency.EVENTUAL, List.of("hh1"), List.of("hh1", "hh2", "hh3"));
        Await.until("hh2 polled", 5_000, () -> h2.healthPolls.get() > 0);

        h2.healthy = false;
        Await.until("hh2 marked down", 5_000, () -> app().nodeHealth().isDown("hh2"));
        h2.seen.clear();
        for (int i = 0; i < 30; i++) {
            assertThat(get("/v1/kv/hh/k").statusCode()).isEqualTo(200);
        }
        assertThat(h2.seen).isEmpty();
        assertThat(h1.seen.size() + h3.seen.size()).isGreaterThanOrEqualTo(30);
        JsonNode nodes = JSON.readTree(get("/v1/cluster").body()).get("nodes");
        for (JsonNode n : nodes) {
            if (n.get("id").asText().equals("hh2")) {
                assertThat(n.get("healthy").asBoolean()).isFalse();
            }
        }

        h2.healthy = true;
        Await.until("hh2 up again", 5_000, () -> !app().nodeHealth().isDown("hh2"));
        Await.until("reads reach hh2 again", 5_000, () -> {
            try {
                get("/v1/kv/hh/k");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !h2.seen.isEmpty();
        });
    }

    @Test
    void metricsCountRequestsPerRouteAndOutcome() throws Exception {
        fake("mm1", true).always(Reply.ok("v")).then(Reply.error(ErrorCode.KEY_NOT_FOUND, Map.of(), Map.of()));
        keyspace("mm", ReadConsistency.STRONG, List.of("mm1"), List.of("mm1"));
        MetricRegistry m = balancer.getEnvironment().metrics();
        long okBefore = m.counter("strata.balancer.get.ok").getCount();
        long timerBefore = m.timer("strata.balancer.get").getCount();

        assertThat(get("/v1/kv/mm/k").statusCode()).isEqualTo(404);
        assertThat(get("/v1/kv/mm/k").statusCode()).isEqualTo(200);

        // The outcome is counted before the answer leaves, the timer closes after it: wait (bounded)
        // for both requests to show, then check the counts are exact.
        Await.until("both requests counted", 5_000, () -> m.timer("strata.balancer.get").getCount() >= timerBefore + 2
                && m.counter("strata.balancer.get.ok").getCount() >= okBefore + 1
                && m.counter("strata.balancer.get.KEY_NOT_FOUND").getCount() > 0);
        assertThat(m.counter("strata.balancer.get.KEY_NOT_FOUND").getCount()).isPositive();
        assertThat(m.counter("strata.balancer.get.ok").getCount()).isEqualTo(okBefore + 1);
        Await.until("the timer closed after the answer was sent", 2_000,
                () -> m.timer("strata.balancer.get").getCount() == timerBefore + 2);
        assertThat(m.getCounters()).containsKey("strata.balancer.retries");
    }

    // ------------------------------------------------------------------------------ HTTP-level errors

    @Test
    void malformedHttpIsRefusedInTheJsonShapeAndNeverRepaired() throws Exception {
        FakeNode echo = fake("raw1", true).handler(s -> Reply.ok("got " + s.body().length + " bytes"));
        keyspace("rawks", ReadConsistency.STRONG, List.of("raw1"), List.of("raw1"));
        int port = balancer.getLocalPort();
        List<String> raws = List.of(
                "PUT /v1/kv/rawks/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                "PUT /v1/kv/rawks/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
                        + "Content-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                "PUT /v1/kv/rawks/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                "PUT /v1/kv/rawks/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                "PUT /v1/kv/rawks/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
                "GET /v1/kv/% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/kv/rawks/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/kv/a%2Fb HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/kv/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + "b".repeat(70_000) + "\r\n\r\n",
                "GET /v1/kv/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nBad Header Line\r\n\r\n",
                "\r\n\r\nGARBAGE\r\n\r\n");
        for (String raw : raws) {
            String answer = RawHttp.send(port, raw);
            String what = raw.substring(0, Math.min(100, raw.length())).replace("\r\n", " | ");
            assertThat(answer).as(what).matches("(?s)HTTP/1.1 4\\d\\d .*");
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertThat(JSON.readTree(body).path("code").asText()).as(what + " -> " + answer).isNotEmpty();
        }
        assertThat(echo.seen).as("no smuggled request reached a node").isEmpty();
    }
}
