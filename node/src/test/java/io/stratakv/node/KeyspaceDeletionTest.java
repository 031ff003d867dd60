package io.stratakv.node;

import io.stratakv.node.replica.ReplicaState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.stratakv.node.NodeCluster.KS;
import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deleting a keyspace (the controller removes its keyspace and partition znodes in one multi)
 * closes its replicas on every node and deletes their files; a partition znode that vanishes while
 * its keyspace remains does not delete anything.
 */
class KeyspaceDeletionTest {

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

    @Test
    void deletingTheKeyspaceDeletesItsFilesOnEveryNode() throws Exception {
        for (int i = 0; i < 50; i++) {
            HttpResponse<byte[]> r = c.put("n1", "k" + i, "v" + i, "consistency=ALL");
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        }
        for (String n : NODES) {
            assertThat(dir.resolve(n).resolve(KS).resolve("0")).isDirectory();
        }
        c.zk.transaction().forOperations(
                c.zk.transactionOp().delete().forPath(c.layout.partition(KS, 0)),
                c.zk.transactionOp().delete().forPath(c.layout.partitions(KS)),
                c.zk.transactionOp().delete().forPath(c.layout.keyspace(KS)));
        for (String n : NODES) {
            Path ksDir = dir.resolve(n).resolve(KS);
            await("keyspace files gone on " + n, 10_000, () -> !Files.exists(ksDir));
            assertThat(c.app(n).replicas().replica(KS, 0)).isEmpty();
        }
    }

    @Test
    void aPartitionZnodeGoneWhileItsKeyspaceStaysKeepsTheFiles() throws Exception {
        assertThat(c.put("n1", "k", "v", "consistency=ALL").statusCode()).isEqualTo(200);
        c.zk.delete().forPath(c.layout.partition(KS, 0));
        for (String n : NODES) {
            await("replica closed on " + n, 10_000, () -> c.app(n).replicas().replica(KS, 0).isEmpty());
        }
        Thread.sleep(1_500); // three reconcile intervals: a deletion would have happened by now
        for (String n : NODES) {
            assertThat(dir.resolve(n).resolve(KS).resolve("0")).isDirectory();
        }
    }
}
