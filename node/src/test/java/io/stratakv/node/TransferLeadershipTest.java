package io.stratakv.node;

import io.stratakv.zk.contract.TransferLeadershipRequest;
import io.stratakv.zk.contract.TransferLeadershipResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static io.stratakv.node.NodeCluster.JSON;
import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.errorCode;
import static io.stratakv.node.NodeCluster.text;
import static io.stratakv.node.ReplicaLifecycleSupport.settings;
import static io.stratakv.node.ReplicaLifecycleSupport.startThree;
import static io.stratakv.node.ReplicaLifecycleSupport.writeMany;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /internal/v1/partitions/{ks}/{pid}/transfer} as the controller's LeaderTransfers
 * calls it: the leader pauses writes, waits for the target to reach its end offset, answers
 * caught-up or behind, and resumes writes once the request's timeout has passed.
 */
class TransferLeadershipTest {

    @TempDir
    Path dir;
    NodeCluster c;

    @BeforeEach
    void start() throws Exception {
        c = startThree(dir, settings("1GiB"));
        writeMany(c, "n1", "a", 5);
    }

    @AfterEach
    void stop() throws Exception {
        c.close();
    }

    private HttpResponse<byte[]> transfer(String at, long epoch, long controllerEpoch, String target, long timeoutMs)
            throws Exception {
        TransferLeadershipRequest req = new TransferLeadershipRequest(NodeCluster.KS, 0, epoch, controllerEpoch, target,
                timeoutMs);
        return c.post(c.base(at).resolve("/internal/v1/partitions/" + NodeCluster.KS + "/0/transfer"),
                JSON.writeValueAsBytes(req), "application/json");
    }

    @Test
    void aCaughtUpTargetIsReportedAndWritesPauseUntilTheTimeout() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = transfer("n1", 1, 1, "n2", 3_000);
        assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        TransferLeadershipResponse resp = JSON.readValue(r.body(), TransferLeadershipResponse.class);
        assertThat(resp.targetCaughtUp()).isTrue();
        assertThat(resp.nodeId()).isEqualTo("n1");
        assertThat(resp.epoch()).isEqualTo(1);
        assertThat(resp.endOffset()).isEqualTo(c.replica("n1").logEnd());
        assertThat(c.replica("n2").logEnd()).isGreaterThanOrEqualTo(resp.endOffset());

        // Paused: a write appends nothing and says so (503, retry), the log end does not move.
        assertThat(c.replica("n1").writesPaused()).isTrue();
        HttpResponse<byte[]> w = c.put("n1", "during", "v", "consistency=QUORUM&timeoutMs=200");
        assertThat(w.statusCode()).as(text(w)).isEqualTo(503);
        assertThat(errorCode(w)).isEqualTo("PARTITION_UNAVAILABLE");
        assertThat(c.replica("n1").logEnd()).isEqualTo(resp.endOffset());

        // No election followed: writes resume after the request's timeout.
        await("writes resume", 10_000, () -> !c.replica("n1").writesPaused());
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(3_000);
        HttpResponse<byte[]> after = c.put("n1", "after", "v", "consistency=QUORUM");
        assertThat(after.statusCode()).as(text(after)).isEqualTo(200);
    }

    @Test
    void aTargetThatCannotCatchUpIsReportedBehind() throws Exception {
        c.stop("n3");
        writeMany(c, "n1", "b", 3); // n3 lacks these
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = transfer("n1", 1, 1, "n3", 500);
        assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        TransferLeadershipResponse resp = JSON.readValue(r.body(), TransferLeadershipResponse.class);
        assertThat(resp.targetCaughtUp()).isFalse();
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(500);
        await("writes resume", 5_000, () -> !c.replica("n1").writesPaused());
        HttpResponse<byte[]> after = c.put("n1", "after", "v", "consistency=QUORUM");
        assertThat(after.statusCode()).as(text(after)).isEqualTo(200);
    }

    @Test
    void wrongRequestsAreRefusedWithTheirCodesAndPauseNothing() throws Exception {
        HttpResponse<byte[]> follower = transfer("n2", 1, 1, "n3", 500);
        assertThat(follower.statusCode()).as(text(follower)).isEqualTo(421);
        assertThat(errorCode(follower)).isEqualTo("NOT_LEADER");

        HttpResponse<byte[]> notVoter = transfer("n1", 1, 1, "n9", 500);
        assertThat(notVoter.statusCode()).as(text(notVoter)).isEqualTo(400);
        assertThat(errorCode(notVoter)).isEqualTo("INVALID_ARGUMENT");

        HttpResponse<byte[]> bad = c.post(c.base("n1").resolve("/internal/v1/partitions/kv/0/transfer"),
                "{\"keyspace\":\"kv\"}".getBytes(), "application/json");
        assertThat(bad.statusCode()).as(text(bad)).isEqualTo(400);
        assertThat(c.replica("n1").writesPaused()).isFalse();

        // A newer controller was seen: the older one's transfer is refused.
        assertThat(transfer("n1", 1, 5, "n1", 100).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> stale = transfer("n1", 1, 4, "n2", 100);
        assertThat(stale.statusCode()).as(text(stale)).isEqualTo(409);
        assertThat(errorCode(stale)).isEqualTo("STALE_EPOCH");
    }
}
