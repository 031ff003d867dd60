package io.stratakv.ops.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A measurement, not a test (not run by default; the name does not match Surefire's includes):
 * {@code mvn -o -pl ops test -Dtest=ClusterBenchRun -Dstrata.bench=true} starts the in-process
 * cluster (three nodes, 8 partitions, replication factor 3, fsync ALWAYS, one JVM with the load
 * generator) and runs {@code strata bench cluster} with YCSB workloads A and C.
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class ClusterBenchRun {

    @TempDir
    Path data;

    @Test
    void workloadsAandC() throws Exception {
        try (InProcessCluster cluster = new InProcessCluster(data, "bench", 8)) {
            Map<String, String> env = Map.of(ClientCommands.BALANCER_ENV, cluster.balancerUrl());
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (ClientCommands.run("kv", new String[]{"put", "warm-up", "x"}, System.out, System.err, env,
                    System.in) != 0) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(200);
            }
            String records = System.getProperty("strata.bench.records", "2000");
            String operations = System.getProperty("strata.bench.operations", "5000");
            String threads = System.getProperty("strata.bench.threads", "16");
            assertThat(ClusterBench.main(new String[]{"--workload", "a", "--records", records, "--operations", operations,
                    "--threads", threads}, System.out, System.err, env)).isZero();
            assertThat(ClusterBench.main(new String[]{"--workload", "c", "--records", records, "--operations", operations,
                    "--threads", threads, "--phases", "run"}, System.out, System.err, env)).isZero();
        }
    }
}
