package io.stratakv.node;

import io.dropwizard.testing.ConfigOverride;
import io.stratakv.node.replica.ReplicaState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * QUORUM and ALL writes commit under every fsync policy, not only ALWAYS. Under NEVER nothing is
 * fsynced by policy, so a replica counts what it has written (DESIGN.md §4.6: a weaker policy may
 * lose acknowledged entries when a majority crashes together); counting only fsynced entries left
 * writes waiting until a segment roll or a flush happened to fsync the log.
 */
class FsyncPolicyCommitTest {

    static final List<String> NODES = List.of("n1", "n2", "n3");

    @TempDir
    Path dir;
    NodeCluster c;

    @AfterEach
    void stopCluster() throws Exception {
        if (c != null) {
            c.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"NEVER", "INTERVAL"})
    void quorumAndAllWritesCommit(String policy) throws Exception {
        c = new NodeCluster(dir);
        for (String n : NODES) {
            c.start(n, ConfigOverride.config("storage.fsyncPolicy", policy));
        }
        c.createPartition(NODES);
        c.elect("n1", NODES);
        await("n1 leads", 10_000, () -> c.replica("n1").view().state() == ReplicaState.LEADER);
        for (int i = 0; i < 20; i++) {
            HttpResponse<byte[]> q = c.put("n1", "q" + i, "v" + i, "consistency=QUORUM&timeoutMs=3000");
            assertThat(q.statusCode()).as("QUORUM write %d under %s: %s", i, policy, text(q)).isEqualTo(200);
            HttpResponse<byte[]> a = c.put("n1", "a" + i, "v" + i, "consistency=ALL&timeoutMs=3000");
            assertThat(a.statusCode()).as("ALL write %d under %s: %s", i, policy, text(a)).isEqualTo(200);
        }
        assertThat(text(c.get("n1", "q19", "consistency=STRONG"))).isEqualTo("v19");
        assertThat(text(c.get("n1", "a19", "consistency=STRONG"))).isEqualTo("v19");
    }
}
