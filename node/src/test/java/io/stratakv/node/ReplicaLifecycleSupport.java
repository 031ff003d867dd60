package io.stratakv.node;

import io.dropwizard.testing.ConfigOverride;
import io.stratakv.node.replica.ReplicaState;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Helpers shared by the snapshot, retention and transfer tests: three nodes, small log segments. */
final class ReplicaLifecycleSupport {

    static final List<String> NODES = List.of("n1", "n2", "n3");
    /** About a kilobyte a value, so a few hundred writes roll many 16 KiB segments. */
    static final String FILLER = "x".repeat(1000);

    private ReplicaLifecycleSupport() {
    }

    /** Every node gets the same overrides (DropwizardTestSupport's system properties would leak otherwise). */
    static ConfigOverride[] settings(String retentionMaxBytes) {
        return settings(retentionMaxBytes, "24h");
    }

    static ConfigOverride[] settings(String retentionMaxBytes, String retentionMaxAge) {
        return new ConfigOverride[]{
                ConfigOverride.config("storage.logSegmentSize", "16KiB"),
                ConfigOverride.config("replication.retention.maxBytes", retentionMaxBytes),
                ConfigOverride.config("replication.retention.maxAge", retentionMaxAge),
                // Retention runs when the test says (enforceRetentionNow), never on its own.
                ConfigOverride.config("replication.retention.checkInterval", "1h"),
        };
    }

    static NodeCluster startThree(Path dir, ConfigOverride[] settings) throws Exception {
        NodeCluster c = new NodeCluster(dir);
        for (String n : NODES) {
            c.start(n, settings);
        }
        c.createPartition(NODES);
        c.elect("n1", NODES);
        await("n1 leads epoch 1", 10_000, () -> c.replica("n1").view().state() == ReplicaState.LEADER);
        return c;
    }

    static void writeMany(NodeCluster c, String leader, String prefix, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            HttpResponse<byte[]> r = c.put(leader, prefix + i, prefix + i + FILLER, "consistency=QUORUM");
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        }
    }

    static void assertHolds(NodeCluster c, String node, String prefix, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            HttpResponse<byte[]> r = c.get(node, prefix + i, "consistency=EVENTUAL");
            assertThat(r.statusCode()).as("%s%d at %s: %s", prefix, i, node, text(r)).isEqualTo(200);
            assertThat(text(r)).isEqualTo(prefix + i + FILLER);
        }
    }

    static HttpResponse<byte[]> putWithRequestId(NodeCluster c, String node, String key, String value, String requestId)
            throws Exception {
        return c.http.send(HttpRequest.newBuilder(c.kv(node, key, "consistency=QUORUM"))
                        .header("X-Request-Id", requestId)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(value.getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static long counter(NodeCluster c, String node, String suffix) {
        return c.metrics(node).counter("partition." + NodeCluster.KS + ".0." + suffix).getCount();
    }

    /** Waits until node has caught up with the leader's log end and applied everything the leader has. */
    static void awaitCaughtUp(NodeCluster c, String node, String leader) throws InterruptedException {
        await(node + " caught up with " + leader, 30_000, () -> c.maybeReplica(node).map(r ->
                r.view().state() == ReplicaState.FOLLOWER && r.logEnd() == c.replica(leader).logEnd()
                        && r.commitEnd() == c.replica(leader).commitEnd()).orElse(false));
    }
}
