package io.stratakv.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.stratakv.controller.ControllerTesting.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The keyspace admin API on a real controller and ZooKeeper, with four registered nodes on two racks. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyspaceAdminTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private TestingServer zk;
    private CuratorFramework nodes;
    private DropwizardTestSupport<ControllerConfiguration> controller;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ZkLayout layout = ZkLayout.forCluster(ControllerTesting.CLUSTER);

    @BeforeAll
    void start() throws Exception {
        zk = new TestingServer(true);
        nodes = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        nodes.start();
        for (int i = 1; i <= 4; i++) {
            ControllerTesting.registerNode(nodes, "node-" + i, "rack-" + (i % 2));
        }
        controller = ControllerTesting.controller(zk.getConnectString(), "controller-1", 4);
        controller.before();
        ControllerApplication app = controller.getApplication();
        await("controller active", 10_000, () -> app.leadership().isActing());
        await("default keyspace bootstrapped", 10_000, () -> exists(layout.keyspace("default")));
    }

    @AfterAll
    void stop() throws Exception {
        controller.after();
        nodes.close();
        zk.close();
    }

    private boolean exists(String path) {
        try {
            return nodes.checkExists().forPath(path) != null;
        } catch (Exception e) {
            return false;
        }
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.getLocalPort() + path))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<PartitionRecord> partitions(String ks) throws Exception {
        List<PartitionRecord> out = new ArrayList<>();
        for (String pid : nodes.getChildren().forPath(layout.partitions(ks))) {
            out.add(ZkCodec.decode(nodes.getData().forPath(layout.partition(ks, Integer.parseInt(pid))), PartitionRecord.class, pid));
        }
        return out;
    }

    @Test
    void bootstrapCreatedTheDefaultKeyspace() throws Exception {
        assertThat(partitions("default")).hasSize(4);
    }

    @Test
    void createDescribeListAndDelete() throws Exception {
        HttpResponse<String> r = send("POST", "/admin/v1/keyspaces",
                "{\"name\":\"orders\",\"partitions\":6,\"replicationFactor\":3,\"defaultWriteConsistency\":\"ALL\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        List<PartitionRecord> ps = partitions("orders");
        assertThat(ps).hasSize(6);
        List<HashRange> ranges = new ArrayList<>();
        for (PartitionRecord p : ps) {
            assertThat(p.replicas()).hasSize(3).doesNotHaveDuplicates();
            Set<String> racks = new HashSet<>();
            p.replicas().forEach(n -> racks.add("rack-" + (Integer.parseInt(n.substring(5)) % 2)));
            assertThat(racks).as("replicas span both racks").hasSize(2);
            assertThat(p.state()).isIn(PartitionState.OFFLINE, PartitionState.ELECTING, PartitionState.ONLINE);
            ranges.add(p.range());
        }
        ranges.sort((x, y) -> Long.compareUnsigned(x.start(), y.start()));
        assertThat(HashRange.coversExactly(ranges)).isTrue();

        JsonNode described = JSON.readTree(send("GET", "/admin/v1/keyspaces/orders", null).body());
        assertThat(described.at("/keyspace/defaultWriteConsistency").asText()).isEqualTo("ALL");
        assertThat(described.at("/partitions").size()).isEqualTo(6);
        assertThat(send("GET", "/admin/v1/keyspaces", null).body()).contains("\"orders\"", "\"default\"");

        assertThat(send("DELETE", "/admin/v1/keyspaces/orders", null).statusCode()).isEqualTo(204);
        assertThat(exists(layout.keyspace("orders"))).isFalse();
        assertThat(exists(layout.partitions("orders"))).isFalse();
        assertError(send("GET", "/admin/v1/keyspaces/orders", null), 404, "KEYSPACE_NOT_FOUND");
    }

    @Test
    void badInputGetsAStableCodeAndChangesNothing() throws Exception {
        int before = nodes.getChildren().forPath(layout.keyspaces()).size();
        assertError(send("POST", "/admin/v1/keyspaces", "{\"name\":\"zero\",\"partitions\":0,\"replicationFactor\":1}"), 400, "INVALID_ARGUMENT");
        assertError(send("POST", "/admin/v1/keyspaces", "{\"name\":\"big\",\"partitions\":2,\"replicationFactor\":5}"), 409, "NOT_ENOUGH_NODES");
        assertError(send("POST", "/admin/v1/keyspaces", "{\"name\":\"Bad Name!\",\"partitions\":2,\"replicationFactor\":1}"), 400, "INVALID_KEYSPACE_NAME");
        assertError(send("POST", "/admin/v1/keyspaces", "{\"name\":\"x\",\"partitions\":"), 400, "INVALID_ARGUMENT");
        assertError(send("POST", "/admin/v1/keyspaces", "{\"name\":\"default\",\"partitions\":2,\"replicationFactor\":1}"), 409, "KEYSPACE_EXISTS");
        assertError(send("POST", "/admin/v1/keyspaces", "{\"name\":\"x\",\"partitions\":2,\"replicationFactor\":1,\"defaultReadConsistency\":\"SOMETIMES\"}"), 400, "INVALID_ARGUMENT");
        assertError(send("DELETE", "/admin/v1/keyspaces/nope", null), 404, "KEYSPACE_NOT_FOUND");
        assertThat(nodes.getChildren().forPath(layout.keyspaces())).hasSize(before);
        assertThat(exists(layout.keyspace("big"))).isFalse();
        assertThat(exists(layout.partitions("big"))).isFalse();
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("code").asText()).as(r.body()).isEqualTo(code);
        assertThat(body.path("message").asText()).isNotBlank();
        assertThat(body.has("retryable")).isTrue();
    }
}
