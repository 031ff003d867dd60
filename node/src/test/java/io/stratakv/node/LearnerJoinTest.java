package io.stratakv.node;

import io.stratakv.node.replica.ReplicaState;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.records.PartitionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controller adds a learner to a partition without a new epoch (ReplicaMover: "n4 joins as a
 * learner at epoch 1"). Found by the it module's add-node scenario: the leader kept the learner
 * set of the record it was elected with, refused the learner's fetches as "not a replica", and
 * the move never completed.
 */
class LearnerJoinTest {

    @TempDir
    Path dir;
    NodeCluster c;

    @AfterEach
    void stop() throws Exception {
        if (c != null) c.close();
    }

    @Test
    void aLearnerAddedInTheLeadersEpochIsServedAndCatchesUp() throws Exception {
        c = new NodeCluster(dir);
        for (String n : List.of("n1", "n2", "n3", "n4")) {
            c.start(n);
        }
        c.createPartition(List.of("n1", "n2", "n3"));
        c.elect("n1", List.of("n1", "n2", "n3"));
        await("n1 leads", 10_000, () -> c.replica("n1").view().state() == ReplicaState.LEADER);
        for (int i = 0; i < 10; i++) {
            HttpResponse<byte[]> r = c.put("n1", "k" + i, "v" + i, "consistency=QUORUM");
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        }
        Versioned<PartitionRecord> before = c.record();
        long epoch = before.value().leaderEpoch();
        c.cas(before, before.value().withLearners(List.of("n4"), c.controllerEpoch));

        await("n4 holds the leader's log", 15_000, () -> c.maybeReplica("n4")
                .map(r -> r.logEnd() == c.replica("n1").logEnd()).orElse(false));
        assertThat(c.replica("n1").view().epoch()).as("no new epoch").isEqualTo(epoch);
        HttpResponse<byte[]> r = c.put("n1", "after", "x", "consistency=ALL");
        assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        await("n4 has the write made after it joined", 15_000, () -> c.maybeReplica("n4")
                .map(x -> x.logEnd() == c.replica("n1").logEnd()).orElse(false));
    }
}
