package io.stratakv.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.controller.core.NodeHealth;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static io.stratakv.controller.ControllerTesting.await;
import static io.stratakv.controller.ElectionHarness.KS;
import static io.stratakv.controller.ElectionHarness.app;
import static org.assertj.core.api.Assertions.assertThat;

/** Planned leadership transfers and the nodes view through the admin HTTP API. */
class LeaderTransferAdminTest {

    private static final String TRANSFER = "/admin/v1/partitions/" + KS + "/0/transfer-leader";

    private TestingServer zk;
    private ElectionHarness h;
    private DropwizardTestSupport<ControllerConfiguration> active;
    private PartitionRecord first;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        h = new ElectionHarness(zk.getConnectString());
        for (String id : List.of("n1", "n2", "n3")) {
            h.node(id).position(KS, 0, 1, 10);
        }
        h.seed(3, false, h.record(0, 1, List.of("n1", "n2", "n3"), List.of(), 1, PartitionState.OFFLINE, Optional.empty()));
        active = h.startController("controller-a");
        first = h.awaitPartition(0, "ONLINE", 10_000, r -> r.state() == PartitionState.ONLINE);
        assertThat(first.leader()).contains("n1");
        for (String id : List.of("n1", "n2", "n3")) {
            await(id + " ACTIVE", 5_000, () -> app(active).membership().health(id) == NodeHealth.ACTIVE);
        }
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
        zk.close();
    }

    @Test
    void aTransferToACaughtUpReplicaMovesLeadershipAtTheNextEpoch() throws Exception {
        ElectionHarness.Answer a = h.post(active, TRANSFER, "{\"target\":\"n2\"}");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        PartitionRecord p = h.partition(0).value();
        assertThat(p.leader()).contains("n2");
        assertThat(p.leaderEpoch()).isEqualTo(first.leaderEpoch() + 1);
        assertThat(h.nodes.get("n1").transfers).singleElement()
                .satisfies(t -> assertThat(t.epoch()).isEqualTo(first.leaderEpoch()));
        h.assertOneLeaderPerEpoch();
    }

    @Test
    void aTransferToALaggingReplicaIsRefusedAndChangesNothing() throws Exception {
        h.nodes.get("n1").targetCaughtUp = t -> !t.equals("n3");
        Versioned<PartitionRecord> before = h.partition(0);
        ElectionHarness.Answer a = h.post(active, TRANSFER, "{\"target\":\"n3\"}");
        assertThat(a.status()).isEqualTo(409);
        assertThat(a.error().code()).isEqualTo(ErrorCode.TARGET_NOT_ELIGIBLE);
        assertThat(a.error().details()).containsEntry("reason", "behind");
        assertThat(h.partition(0)).isEqualTo(before);
        assertThat(h.nodes.get("n3").fencedEpochs(KS, 0)).containsExactly(first.leaderEpoch());
    }

    @Test
    void aTargetTheLeaderCallsCaughtUpButThatIsBehindWhenFencedDoesNotWin() throws Exception {
        h.nodes.get("n3").position(KS, 0, 1, 9); // the leader's word was wrong: the fence answers decide
        ElectionHarness.Answer a = h.post(active, TRANSFER, "{\"target\":\"n3\"}");
        assertThat(a.status()).isEqualTo(409);
        assertThat(a.error().code()).isEqualTo(ErrorCode.TARGET_NOT_ELIGIBLE);
        PartitionRecord p = h.partition(0).value();
        assertThat(p.leader()).isNotEqualTo(Optional.of("n3"));
        assertThat(p.leaderEpoch()).isGreaterThan(first.leaderEpoch());
    }

    @Test
    void badInputGetsAStableCodeAndChangesNothing() throws Exception {
        Versioned<PartitionRecord> before = h.partition(0);
        expect(h.post(active, "/admin/v1/partitions/nope/0/transfer-leader", "{\"target\":\"n2\"}"), 404,
                ErrorCode.KEYSPACE_NOT_FOUND);
        expect(h.post(active, "/admin/v1/partitions/" + KS + "/7/transfer-leader", "{\"target\":\"n2\"}"), 404,
                ErrorCode.PARTITION_NOT_FOUND);
        expect(h.post(active, "/admin/v1/partitions/" + KS + "/01/transfer-leader", "{\"target\":\"n2\"}"), 400,
                ErrorCode.INVALID_PARTITION_ID);
        expect(h.post(active, "/admin/v1/partitions/" + KS + "/x/transfer-leader", "{\"target\":\"n2\"}"), 400,
                ErrorCode.INVALID_PARTITION_ID);
        expect(h.post(active, "/admin/v1/partitions/BAD/0/transfer-leader", "{\"target\":\"n2\"}"), 400,
                ErrorCode.INVALID_KEYSPACE_NAME);
        expect(h.post(active, TRANSFER, "{\"target\":"), 400, ErrorCode.INVALID_ARGUMENT);
        expect(h.post(active, TRANSFER, "{}"), 400, ErrorCode.INVALID_ARGUMENT);
        expect(h.post(active, TRANSFER, "{\"target\":\"N 2\"}"), 400, ErrorCode.INVALID_NODE_ID);
        expect(h.post(active, TRANSFER, "{\"target\":\"n9\"}"), 409, ErrorCode.TARGET_NOT_ELIGIBLE);
        assertThat(h.partition(0)).isEqualTo(before);
        assertThat(h.nodes.get("n1").transfers).isEmpty();
    }

    @Test
    void aStandbyAnswersNotActiveController() throws Exception {
        DropwizardTestSupport<ControllerConfiguration> standby = h.startController("controller-b");
        Versioned<PartitionRecord> before = h.partition(0);
        expect(h.post(standby, TRANSFER, "{\"target\":\"n2\"}"), 421, ErrorCode.NOT_ACTIVE_CONTROLLER);
        assertThat(h.partition(0)).isEqualTo(before);
    }

    @Test
    void theNodesViewShowsHealthAndLoad() throws Exception {
        h.nodes.get("n3").stopServer();
        await("n3 SUSPECT", 5_000, () -> app(active).membership().health("n3") == NodeHealth.SUSPECT);
        ElectionHarness.Answer a = h.get(active, "/admin/v1/nodes");
        assertThat(a.status()).isEqualTo(200);
        JsonNode nodes = StrataJson.newMapper().readTree(a.body()).get("nodes");
        assertThat(nodes).hasSize(3);
        JsonNode n1 = nodes.get(0);
        assertThat(n1.get("nodeId").asText()).isEqualTo("n1");
        assertThat(n1.get("health").asText()).isEqualTo("ACTIVE");
        assertThat(n1.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(n1.get("rack").asText()).isEqualTo("rack-n1");
        assertThat(n1.get("replicas").asInt()).isEqualTo(1);
        assertThat(n1.get("leaders").asInt()).isEqualTo(1);
        assertThat(nodes.get(1).get("leaders").asInt()).isZero();
        assertThat(nodes.get(2).get("health").asText()).isEqualTo("SUSPECT");
    }

    private static void expect(ElectionHarness.Answer a, int status, ErrorCode code) throws Exception {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.error().code()).as(a.body()).isEqualTo(code);
    }
}
