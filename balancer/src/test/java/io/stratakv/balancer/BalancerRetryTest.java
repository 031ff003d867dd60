package io.stratakv.balancer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The balancer application against a real ZooKeeper and FAKE storage nodes (JDK HTTP servers on
 * real ports, registered like real nodes): routing, leader changes and every retry rule.
 */
class BalancerRetryTest {

    private static final String CLUSTER = "baltest";
    private static final ZkLayout LAYOUT = ZkLayout.forCluster(CLUSTER);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestingServer zk;
    private static CuratorFramework admin;
    private static DropwizardTestSupport<BalancerConfiguration> balancer;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
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
        balancer = new DropwizardTestSupport<>(BalancerApplication.class, (String) null,
                ConfigOverride.config("zookeeper.connect", zk.getConnectString()),
                ConfigOverride.config("zookeeper.cluster", CLUSTER),
                ConfigOverride.config("reconcileInterval", "300ms"),
                ConfigOverride.config("requests.defaultTimeout", "3s"),
                ConfigOverride.config("requests.maxTimeout", "10s"),
                ConfigOverride.config("requests.backoffBase", "5ms"),
                ConfigOverride.config("requests.backoffMax", "50ms"),
                ConfigOverride.config("limits.maxKeySize", "64B"),
                ConfigOverride.config("limits.maxValueSize", "1KiB"),
                ConfigOverride.config("limits.maxBodySize", "2KiB"),
                ConfigOverride.config("server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("server.adminConnectors[0].port", "0"),
                ConfigOverride.config("logging.level", System.getProperty("strata.test.log", "WARN")));
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
        register(id, n.port(), live);
        return n;
    }

    private static void register(String id, int port, boolean live) throws Exception {
        admin.create().forPath(LAYOUT.registeredNode(id), ZkCodec.encode(Records.node(id, port)));
        if (live) {
            admin.create().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.liveNode(id),
                    ZkCodec.encode(NodeLive.of(id, 1, Instant.now(), "test")));
        }
    }

    /** A keyspace of one partition over the whole ring; waits until the balancer routes it. */
    private static void keyspace(String ks, ReadConsistency read, List<String> replicas, String leader, long epoch)
            throws Exception {
        admin.create().forPath(LAYOUT.keyspace(ks), ZkCodec.encode(Records.keyspace(ks, 1, read)));
        admin.create().creatingParentsIfNeeded().forPath(LAYOUT.partition(ks, 0),
                ZkCodec.encode(Records.online(ks, 0, HashRange.full(), replicas, leader, epoch)));
        Await.until("balancer routes " + ks, 5_000, () -> routedEpoch(ks) == epoch
                && replicas.stream().allMatch(r -> app().partitionMap().view().dataAddress(r).isPresent()));
    }

    private static void publish(String ks, List<String> replicas, String leader, long epoch) throws Exception {
        admin.setData().forPath(LAYOUT.partition(ks, 0),
                ZkCodec.encode(Records.online(ks, 0, HashRange.full(), replicas, leader, epoch)));
    }

    private static BalancerApplication app() {
        return balancer.getApplication();
    }

    private static long routedEpoch(String ks) {
        return app().partitionMap().view().keyspace(ks).flatMap(k -> k.partitionFor(new byte[]{'k'}))
                .map(PartitionRecord::leaderEpoch).orElse(-1L);
    }

    private static String url(String pathAndQuery) {
        return "http://127.0.0.1:" + balancer.getLocalPort() + pathAndQuery;
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(pathAndQuery))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(String pathAndQuery, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(pathAndQuery)))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> r) throws Exception {
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.has("message") && body.has("retryable")).as("ErrorBody shape: %s", r.body()).isTrue();
        return body.get("code").asText();
    }

    // ------------------------------------------------------------------------------ routing

    @Test
    void notLeaderFollowsTheNamedLeaderAtItsNewerEpoch() throws Exception {
        FakeNode a = fake("a1", true).always(Reply.notLeader("a2", 2));
        FakeNode b = fake("a2", true).always(Reply.ok("from-a2"));
        keyspace("ka", ReadConsistency.STRONG, List.of("a1", "a2"), "a1", 1);

        HttpResponse<String> r = get("/v1/kv/ka/k");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("from-a2");
        assertThat(r.headers().firstValue("X-Strata-Epoch")).contains("2");
        assertThat(r.headers().firstValue("X-Strata-Consistency")).contains("STRONG");
        assertThat(a.seen.getFirst().query()).contains("epoch=1");
        assertThat(b.seen.getFirst().query()).contains("epoch=2").contains("consistency=STRONG");
    }

    @Test
    void followsALeaderChangePublishedInZooKeeper() throws Exception {
        FakeNode g1 = fake("g1", true).always(Reply.ok("g1"));
        FakeNode g2 = fake("g2", true).always(Reply.ok("g2"));
        keyspace("kg", ReadConsistency.STRONG, List.of("g1", "g2"), "g1", 1);
        assertThat(put("/v1/kv/kg/k", "v".getBytes()).statusCode()).isEqualTo(200);
        assertThat(g1.seen).hasSize(1);

        publish("kg", List.of("g1", "g2"), "g2", 2);
        Await.until("balancer sees epoch 2", 5_000, () -> routedEpoch("kg") == 2);
        HttpResponse<String> r = put("/v1/kv/kg/k", "v".getBytes());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(g2.seen).hasSize(1);
        assertThat(g2.seen.getFirst().query()).contains("epoch=2");
        assertThat(g1.seen).hasSize(1);
    }

    @Test
    void connectionRefusedOnAReadGoesToAnotherReplica() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort(); // closed again: connections are refused
        }
        register("b1", deadPort, true);
        FakeNode b2 = fake("b2", false).always(Reply.ok("from-b2")); // not live: b1 is the first choice
        keyspace("kb", ReadConsistency.EVENTUAL, List.of("b1", "b2"), "b2", 1);

        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = get("/v1/kv/kb/k");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("from-b2");
            assertThat(r.headers().firstValue("X-Strata-Consistency")).contains("EVENTUAL");
        }
        assertThat(b2.seen).hasSize(5);
        assertThat(b2.seen.getFirst().query()).contains("consistency=EVENTUAL").doesNotContain("epoch=");
    }

    @Test
    void a503IsRetriedAfterItsRetryAfter() throws Exception {
        FakeNode c = fake("c1", true).then(Reply.unavailable(1)).always(Reply.ok("ok"));
        keyspace("kc", ReadConsistency.STRONG, List.of("c1"), "c1", 1);

        HttpResponse<String> r = put("/v1/kv/kc/k", "v".getBytes());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(c.seen).hasSize(2);
        long gapMillis = (c.seen.get(1).atNanos() - c.seen.get(0).atNanos()) / 1_000_000;
        assertThat(gapMillis).isGreaterThanOrEqualTo(950);
    }

    @Test
    void a503WhoseRetryAfterPassesTheDeadlineIsAnsweredAtOnce() throws Exception {
        FakeNode c = fake("c2", true).always(Reply.unavailable(30));
        keyspace("kc2", ReadConsistency.STRONG, List.of("c2"), "c2", 1);

        long t0 = System.nanoTime();
        HttpResponse<String> r = get("/v1/kv/kc2/k?timeoutMs=2000");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(code(r)).isEqualTo("PARTITION_UNAVAILABLE");
        assertThat(r.headers().firstValue("Retry-After")).contains("30");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1_500);
        assertThat(c.seen).hasSize(1);
    }

    @Test
    void aWriteWhoseDeadlinePassesAnswers504TimeoutUnknownOutcome() throws Exception {
        FakeNode d = fake("d1", true).always(Reply.HANG);
        keyspace("kd", ReadConsistency.STRONG, List.of("d1"), "d1", 1);

        HttpResponse<String> r = put("/v1/kv/kd/k?timeoutMs=300", "v".getBytes());

        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(code(r)).isEqualTo(ErrorCode.TIMEOUT_UNKNOWN_OUTCOME.name());
        assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(d.seen).isNotEmpty();
        assertThat(d.seen.getFirst().header("X-Request-Id")).isEqualTo(r.headers().firstValue("X-Request-Id").get());
    }

    @Test
    void aRetriedWriteCarriesTheSameRequestIdEachTime() throws Exception {
        FakeNode e1 = fake("e1", true).then(Reply.unavailable(0)).always(Reply.notLeader("e2", 2));
        FakeNode e2 = fake("e2", true)
                .then(Reply.error(ErrorCode.INTERNAL, Map.of(), Map.of()))
                .always(Reply.ok("{\"offset\":7,\"epoch\":2}"));
        keyspace("ke", ReadConsistency.STRONG, List.of("e1", "e2"), "e1", 1);

        HttpResponse<String> r = put("/v1/kv/ke/k", "v".getBytes());

        assertThat(r.statusCode()).isEqualTo(200);
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        List<String> ids = new ArrayList<>();
        e1.seen.forEach(s -> ids.add(s.header("X-Request-Id")));
        e2.seen.forEach(s -> ids.add(s.header("X-Request-Id")));
        assertThat(ids).hasSize(4).containsOnly(id);

        HttpResponse<String> own = put("/v1/kv/ke/k2", "v".getBytes(), "X-Request-Id", "client-chosen-1");
        assertThat(own.headers().firstValue("X-Request-Id")).contains("client-chosen-1");
        assertThat(e2.seen.getLast().header("X-Request-Id")).isEqualTo("client-chosen-1");
    }

    @Test
    void aSessionReadAReplicaCannotServeGoesToTheLeader() throws Exception {
        FakeNode leader = fake("s1", false).always(Reply.ok("from-leader")); // not live: the replica is picked first
        FakeNode replica = fake("s2", true).always(Reply.notLeader("s1", 1));
        keyspace("ks", ReadConsistency.STRONG, List.of("s1", "s2"), "s1", 1);

        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/kv/ks/k?consistency=session")))
                .header("X-Strata-Session", "0=1:5").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("from-leader");
        assertThat(r.headers().firstValue("X-Strata-Consistency")).contains("SESSION");
        assertThat(replica.seen.getFirst().query()).contains("consistency=SESSION");
        assertThat(leader.seen.getFirst().query()).contains("consistency=SESSION");
        assertThat(replica.seen.getFirst().header("X-Strata-Position")).isEqualTo("1:5");
        assertThat(leader.seen.getFirst().header("X-Strata-Position")).isEqualTo("1:5");
    }

    @Test
    void passesUnknownParametersAndStrataHeadersThroughBothWays() throws Exception {
        FakeNode h = fake("h1", true).always(new Reply(200, Map.of("X-Strata-Version", "9", "X-Strata-Position", "p-12"),
                "v".getBytes()));
        keyspace("default", ReadConsistency.EVENTUAL, List.of("h1"), "h1", 3);

        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/kv/a%20key?ifVersion=3&foo=bar%20baz")))
                .header("X-Strata-Position", "p-11").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        FakeNode.Seen s = h.seen.getFirst();
        assertThat(s.path()).isEqualTo("/v1/kv/default/a%20key");
        assertThat(s.query()).startsWith("ifVersion=3&foo=bar%20baz&").contains("consistency=EVENTUAL");
        assertThat(s.header("X-Strata-Position")).isEqualTo("p-11");
        assertThat(r.headers().firstValue("X-Strata-Version")).contains("9");
        assertThat(r.headers().firstValue("X-Strata-Position")).contains("p-12");
        assertThat(r.headers().firstValue("X-Strata-Partition")).contains("0");
        assertThat(r.headers().firstValue("X-Strata-Epoch")).contains("3");
        assertThat(r.headers().firstValue("X-Strata-Consistency")).contains("EVENTUAL"); // the keyspace's default

        HttpResponse<String> plain = get("/v1/kv/x"); // /v1/kv/{key} is keyspace default
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(h.seen.getLast().path()).isEqualTo("/v1/kv/default/x");
    }

    @Test
    void clusterViewShowsNodesPartitionsLeadersAndEpochs() throws Exception {
        fake("v1", true);
        fake("v2", true);
        keyspace("kv1", ReadConsistency.STRONG, List.of("v1", "v2"), "v2", 4);

        HttpResponse<String> r = get("/v1/cluster");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode c = JSON.readTree(r.body());
        JsonNode p = null;
        for (JsonNode x : c.get("partitions")) {
            if (x.get("keyspace").asText().equals("kv1")) {
                p = x;
            }
        }
        assertThat(p).isNotNull();
        assertThat(p.get("leader").asText()).isEqualTo("v2");
        assertThat(p.get("leaderEpoch").asLong()).isEqualTo(4);
        assertThat(p.get("routed").asBoolean()).isTrue();
        assertThat(r.body()).contains("\"id\":\"v1\"").contains("\"name\":\"kv1\"");
    }

    // ------------------------------------------------------------------------------ bad input

    @Test
    void badInputAnswersStableCodesInTheOneErrorShape() throws Exception {
        fake("x1", true);
        keyspace("kx", ReadConsistency.STRONG, List.of("x1"), "x1", 1);

        HttpResponse<String> r = get("/v1/kv/nosuch/k");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(code(r)).isEqualTo("KEYSPACE_NOT_FOUND");

        r = get("/v1/kv/kx/k?consistency=BOGUS");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(code(r)).isEqualTo("INVALID_ARGUMENT");

        r = put("/v1/kv/kx/k?consistency=STRONG", "v".getBytes()); // a read level on a write
        assertThat(code(r)).isEqualTo("INVALID_ARGUMENT");

        r = get("/v1/kv/Bad.Name/k");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(code(r)).isEqualTo("INVALID_KEYSPACE_NAME");

        r = get("/v1/kv/kx/" + "k".repeat(65));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(code(r)).isEqualTo("KEY_TOO_LARGE");

        r = put("/v1/kv/kx/k", new byte[1500]);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(code(r)).isEqualTo("VALUE_TOO_LARGE");

        r = put("/v1/kv/kx/k", new byte[3000]);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(code(r)).isEqualTo("BODY_TOO_LARGE");

        r = get("/v1/kv/kx/k?timeoutMs=0");
        assertThat(code(r)).isEqualTo("INVALID_ARGUMENT");

        r = get("/v1/kv/kx/a/b");
        assertThat(code(r)).isEqualTo("INVALID_ARGUMENT");

        r = HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/kv/kx/k"))).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(code(r)).isEqualTo("INVALID_ARGUMENT");

        r = get("/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(code(r)).isEqualTo("NOT_FOUND");
    }
}
