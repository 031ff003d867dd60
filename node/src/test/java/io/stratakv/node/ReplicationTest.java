package io.stratakv.node;

import io.stratakv.node.replica.ReplicaState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.errorCode;
import static io.stratakv.node.NodeCluster.offsetOf;
import static io.stratakv.node.NodeCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real nodes on loopback replicating one partition (DESIGN.md §3): what each write
 * consistency waits for, and what a write does when replicas are missing.
 */
class ReplicationTest {

    static final List<String> NODES = List.of("n1", "n2", "n3");

    @TempDir
    Path dir;
    NodeCluster c;

    @BeforeEach
    void startCluster() throws Exception {
        c = new NodeCluster(dir);
        for (String n : NODES) {
            c.start(n);
        }
        c.createPartition(NODES);
        c.elect("n1", NODES);
        await("n1 leads epoch 1", 10_000, () -> c.replica("n1").view().state() == ReplicaState.LEADER);
    }

    @AfterEach
    void stopCluster() throws Exception {
        c.close();
    }

    private int holding(long offset) {
        int n = 0;
        for (String id : NODES) {
            if (c.maybeReplica(id).map(r -> r.logEnd() > offset).orElse(false)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void quorumAcknowledgesOnlyOnceAMajorityHoldsTheEntry() throws Exception {
        for (int i = 0; i < 20; i++) {
            HttpResponse<byte[]> r = c.put("n1", "k" + i, "v" + i, "consistency=QUORUM");
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
            assertThat(holding(offsetOf(r))).isGreaterThanOrEqualTo(2);
            assertThat(c.replica("n1").commitEnd()).isGreaterThan(offsetOf(r));
        }
        HttpResponse<byte[]> g = c.get("n1", "k7", "consistency=STRONG");
        assertThat(text(g)).isEqualTo("v7");
    }

    @Test
    void allWaitsForEveryReplica() throws Exception {
        for (int i = 0; i < 10; i++) {
            HttpResponse<byte[]> r = c.put("n1", "a" + i, "v" + i, "consistency=ALL");
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
            assertThat(holding(offsetOf(r))).isEqualTo(3);
        }
    }

    @Test
    void withOneFollowerDownQuorumSucceedsWithTwoDownOnlyOneAcknowledges() throws Exception {
        c.stop("n3");
        HttpResponse<byte[]> q = c.put("n1", "x", "1", "consistency=QUORUM");
        assertThat(q.statusCode()).as(text(q)).isEqualTo(200);
        HttpResponse<byte[]> all = c.put("n1", "y", "1", "consistency=ALL&timeoutMs=500");
        assertThat(all.statusCode()).isEqualTo(504);
        assertThat(errorCode(all)).isEqualTo("REPLICATION_INCOMPLETE");
        assertThat(NodeCluster.JSON.readTree(all.body()).get("details").get("committed").asText()).isEqualTo("true");

        c.stop("n2");
        HttpResponse<byte[]> q2 = c.put("n1", "z", "1", "consistency=QUORUM&timeoutMs=700");
        assertThat(q2.statusCode()).isEqualTo(504);
        assertThat(errorCode(q2)).isEqualTo("TIMEOUT_UNKNOWN_OUTCOME");
        long zOffset = NodeCluster.JSON.readTree(q2.body()).get("details").get("offset").asLong();
        assertThat(c.replica("n1").commitEnd()).isLessThanOrEqualTo(zOffset);

        HttpResponse<byte[]> one = c.put("n1", "w", "1", "consistency=ONE");
        assertThat(one.statusCode()).as(text(one)).isEqualTo(200);
        assertThat(c.replica("n1").logEnd()).isGreaterThan(offsetOf(one));
        // Neither is applied: nothing a majority does not hold is visible.
        assertThat(c.get("n1", "w", "consistency=EVENTUAL").statusCode()).isEqualTo(404);

        // The followers come back: the pending entries commit, z and w become visible.
        c.start("n2");
        await("z and w commit once n2 is back", 10_000, () -> c.replica("n1").commitEnd() > zOffset + 1);
        assertThat(text(c.get("n1", "z", ""))).isEqualTo("1");
        assertThat(text(c.get("n1", "w", ""))).isEqualTo("1");
    }
}
