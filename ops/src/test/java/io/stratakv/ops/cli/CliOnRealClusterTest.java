package io.stratakv.ops.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI in-process against the real services (ZooKeeper, three nodes, a controller, a
 * balancer): keyspace admin, cluster status, kv through the balancer, leadership transfer, a
 * split request, and {@code bench cluster} running YCSB workload A.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliOnRealClusterTest {

    private InProcessCluster cluster;
    private Map<String, String> env;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    static Path data;

    @BeforeAll
    void start() throws Exception {
        cluster = new InProcessCluster(data, "cli", 2);
        env = Map.of(ClientCommands.BALANCER_ENV, cluster.balancerUrl(),
                ClientCommands.CONTROLLER_ENV, cluster.controllerUrl());
        await("the balancer serves writes to the default keyspace", 30_000, () -> run("kv", "put", "warm-up", "x") == 0);
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private int run(String command, String... args) {
        out.reset();
        err.reset();
        return ClientCommands.run(command, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, new ByteArrayInputStream(new byte[0]));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void kvThroughTheRealBalancer() {
        assertThat(run("kv", "put", "cli-key", "cli value", "--consistency", "ALL")).as(err()).isZero();
        assertThat(out()).startsWith("OK version=");
        assertThat(run("kv", "get", "cli-key", "--consistency", "STRONG")).isZero();
        assertThat(out()).isEqualTo("cli value" + System.lineSeparator());
        assertThat(run("kv", "del", "cli-key")).isZero();
        assertThat(run("kv", "get", "cli-key")).isEqualTo(1);
        assertThat(err()).contains("KEY_NOT_FOUND");
        assertThat(run("kv", "get", "k", "--keyspace", "nope")).isEqualTo(1);
        assertThat(err()).contains("KEYSPACE_NOT_FOUND");
    }

    @Test
    @Order(2)
    void keyspaceLifecycle() throws Exception {
        assertThat(run("keyspace", "create", "orders", "--partitions", "2", "--replication", "3",
                "--read-consistency", "eventual")).as(err()).isZero();
        assertThat(out()).startsWith("created keyspace orders: 2 partitions, replication factor 3");
        assertThat(run("keyspace", "create", "orders", "--partitions", "2", "--replication", "3")).isEqualTo(1);
        assertThat(err()).contains("KEYSPACE_EXISTS");
        assertThat(run("keyspace", "create", "big", "--partitions", "2", "--replication", "5")).isEqualTo(3);
        assertThat(err()).contains("NOT_ENOUGH_NODES");

        assertThat(run("keyspace", "list")).isZero();
        assertThat(out()).contains("KEYSPACE").contains("default").contains("orders");
        assertThat(out().lines().filter(l -> l.startsWith("orders")).findFirst().orElseThrow())
                .contains("EVENTUAL");
        assertThat(run("keyspace", "describe", "orders")).isZero();
        assertThat(out()).contains("orders/0").contains("orders/1").contains("PARTITION");
        assertThat(run("keyspace", "describe", "nope")).isEqualTo(1);
        assertThat(err()).contains("KEYSPACE_NOT_FOUND");

        await("keys can be written to the new keyspace", 30_000,
                () -> run("kv", "put", "o1", "first order", "--keyspace", "orders") == 0);
        assertThat(run("kv", "get", "o1", "--keyspace", "orders", "--consistency", "STRONG")).isZero();
        assertThat(out()).startsWith("first order");

        assertThat(run("keyspace", "delete", "orders")).as(err()).isZero();
        assertThat(out()).isEqualTo("deleted keyspace orders" + System.lineSeparator());
    }

    @Test
    @Order(3)
    void clusterStatusShowsBothViews() {
        assertThat(run("cluster", "status")).as(err()).isZero();
        String s = out();
        assertThat(s).contains("controller controller-1 ACTIVE").contains("balancer   map generation")
                .contains("NODE").contains("n1").contains("n2").contains("n3")
                .contains("default/0").contains("default/1").contains("ROUTED");
        assertThat(s.lines().filter(l -> l.startsWith("default/0")).findFirst().orElseThrow()).contains("ONLINE")
                .contains("n1,n2,n3").endsWith("yes");
        // the balancer unreachable: what the controller knows, and exit 3
        assertThat(run("cluster", "status", "--balancer", "http://127.0.0.1:1")).isEqualTo(3);
        assertThat(out()).contains("default/0");
        assertThat(err()).contains("balancer: UNREACHABLE");
    }

    @Test
    @Order(4)
    void transferLeadership() throws Exception {
        assertThat(run("keyspace", "describe", "default")).isZero();
        String row = out().lines().filter(l -> l.startsWith("default/0 ")).findFirst().orElseThrow();
        Matcher m = Pattern.compile("default/0\\s+ONLINE\\s+(n\\d)").matcher(row);
        assertThat(m.find()).as(row).isTrue();
        String leader = m.group(1);
        String target = List.of("n1", "n2", "n3").stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        // The target may still be catching up (TARGET_NOT_ELIGIBLE, retryable): try until it is not.
        // Until the nodes serve the transfer-leadership endpoint (node/README.md, "Not built yet"),
        // the controller answers PARTITION_UNAVAILABLE "did not prepare the transfer": the CLI must
        // relay that as exit 3 with the code; once the nodes have it, the transfer must complete.
        String[] last = new String[1];
        await("leadership of default/0 moves to " + target + " or the nodes refuse to prepare it", 30_000, () -> {
            int code = run("partition", "transfer-leader", "default", "0", "--to", target);
            last[0] = code + " " + out() + err();
            return code == 0 || err().contains("did not prepare the transfer");
        });
        if (last[0].startsWith("0 ")) {
            assertThat(out()).startsWith("leader of default/0 is " + target + " at epoch ");
        } else {
            assertThat(last[0]).startsWith("3 ").contains("strata: PARTITION_UNAVAILABLE: ");
        }
        assertThat(run("partition", "transfer-leader", "default", "0", "--to", "n9")).isNotZero();
        assertThat(err()).containsAnyOf("TARGET_NOT_ELIGIBLE", "NODE_NOT_FOUND");
        assertThat(run("partition", "transfer-leader", "default", "7", "--to", "n1")).isEqualTo(1);
        assertThat(err()).contains("PARTITION_NOT_FOUND");
    }

    @Test
    @Order(5)
    void benchClusterRunsYcsbWorkloadA() throws Exception {
        await("writes are served after the transfer", 30_000, () -> run("kv", "put", "after-transfer", "x") == 0);
        out.reset();
        err.reset();
        int code = ClusterBench.main(new String[]{"--workload", "a", "--records", "100", "--operations", "200",
                        "--threads", "2", "--property", "fieldcount=3,fieldlength=20"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
        assertThat(code).as(out() + err()).isZero();
        String s = out();
        assertThat(s).contains("workload a, 100 records, 200 operations, 2 threads");
        assertThat(s).containsPattern("load\\s+INSERT\\s+100\\s+0\\s");
        assertThat(s).containsPattern("run\\s+READ\\s+\\d+\\s+0\\s");
        assertThat(s).containsPattern("run\\s+UPDATE\\s+\\d+\\s+0\\s");
        assertThat(s).containsPattern("run\\s+TOTAL\\s+\\d+\\s+0\\s");
        assertThat(ClusterBench.main(new String[]{"--workload", "z"}, new PrintStream(out), new PrintStream(err), env))
                .isEqualTo(2);
    }

    @Test
    @Order(6)
    void splitRequest() {
        assertThat(run("partition", "split", "default", "1")).as(err()).isZero();
        assertThat(out()).startsWith("split of default/1 requested: state SPLITTING");
        assertThat(run("partition", "split", "default", "1")).isEqualTo(3);
        assertThat(err()).contains("OPERATION_IN_PROGRESS");
    }

    private static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }
}
