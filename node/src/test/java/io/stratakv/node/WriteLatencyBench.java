package io.stratakv.node;

import io.stratakv.node.replica.ReplicaState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Not a timed test: a measurement, run on demand. Sequential writes (one client, 100-byte values)
 * to a three-replica partition, fsync ALWAYS, all nodes in one JVM on loopback.
 * Run: mvn -o -pl node test -Dtest=WriteLatencyBench -Dstrata.bench=true
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class WriteLatencyBench {

    @TempDir
    Path dir;

    @Test
    void writeLatencyPerConsistency() throws Exception {
        List<String> nodes = List.of("n1", "n2", "n3");
        try (NodeCluster c = new NodeCluster(dir)) {
            for (String n : nodes) {
                c.start(n);
            }
            c.createPartition(nodes);
            c.elect("n1", nodes);
            NodeCluster.await("n1 leads", 10_000, () -> c.replica("n1").view().state() == ReplicaState.LEADER);
            String value = "v".repeat(100);
            for (String level : List.of("ONE", "QUORUM", "ALL", "ONE", "QUORUM", "ALL")) {
                int n = 1000;
                long[] nanos = new long[n];
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    var r = c.put("n1", level + i, value, "consistency=" + level);
                    nanos[i] = System.nanoTime() - t0;
                    assertThat(r.statusCode()).isEqualTo(200);
                }
                Arrays.sort(nanos);
                System.out.printf("BENCH %-6s n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n", level, n,
                        nanos[n / 2] / 1e6, nanos[n * 99 / 100] / 1e6, nanos[n - 1] / 1e6);
            }
        }
    }
}
