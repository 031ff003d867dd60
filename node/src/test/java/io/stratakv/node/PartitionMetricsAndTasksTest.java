package io.stratakv.node;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.stratakv.node.replica.ReplicaState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Per-partition metrics in each node's registry, and the flush/compact/checkpoint admin tasks, on real nodes. */
class PartitionMetricsAndTasksTest {

    static final List<String> NODES = List.of("n1", "n2", "n3");
    static final String P = "partition.kv.0.";

    @TempDir
    Path dir;
    NodeCluster c;

    @AfterEach
    void stopCluster() throws Exception {
        if (c != null) {
            c.close();
        }
    }

    private void startWithLeader(String leader) throws Exception {
        c = new NodeCluster(dir);
        for (String n : NODES) {
            c.start(n);
        }
        c.createPartition(NODES);
        c.elect(leader, NODES);
        await(leader + " leads", 10_000, () -> c.replica(leader).view().state() == ReplicaState.LEADER);
    }

    private void writeSome(String leader, int n) throws Exception {
        writeSome(leader, n, "ALL");
    }

    private void writeSome(String leader, int n, String consistency) throws Exception {
        for (int i = 0; i < n; i++) {
            HttpResponse<byte[]> r = c.put(leader, "k" + i, "value-" + i, "consistency=" + consistency);
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        }
    }

    private static long gauge(MetricRegistry m, String name) {
        Gauge<?> g = m.getGauges().get(name);
        assertThat(g).as("gauge " + name + " in " + m.getNames()).isNotNull();
        return ((Number) g.getValue()).longValue();
    }

    private HttpResponse<String> task(String node, String name, String query) throws Exception {
        return c.http.send(HttpRequest.newBuilder(c.admin(node).resolve("/tasks/" + name + "?" + query))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void perPartitionMetricsAfterWritesOnLeaderAndFollowers() throws Exception {
        startWithLeader("n1");
        writeSome("n1", 30);
        MetricRegistry leader = c.metrics("n1");
        long end = c.replica("n1").logEnd();
        assertThat(gauge(leader, P + "log.end-offset")).isEqualTo(end).isGreaterThanOrEqualTo(30);
        assertThat(gauge(leader, P + "log.bytes")).isPositive();
        assertThat(gauge(leader, P + "role")).isEqualTo(ReplicaState.LEADER.ordinal());
        // ALL writes: everything appended is committed, so the leader's lag is 0.
        assertThat(gauge(leader, P + "commit-lag")).isZero();
        assertThat(gauge(leader, P + "applied-offset")).isEqualTo(c.replica("n1").commitEnd());
        assertThat(gauge(leader, P + "lsm.memtable.bytes")).isPositive();
        assertThat(leader.getTimers()).containsKey(P + "lsm.flush");
        assertThat(leader.counter(P + "replication.served-bytes").getCount()).isGreaterThanOrEqualTo(30 * "value-0".length());
        assertThat(leader.counter(P + "role-changes").getCount()).isGreaterThanOrEqualTo(1);
        // fsyncs happened under ALWAYS: timed node-wide and for this partition alone.
        assertThat(leader.timer("log.fsync").getCount()).isPositive();
        assertThat(leader.getTimers()).containsKey(P + "log.fsync");
        assertThat(leader.timer(P + "log.fsync").getCount()).isPositive()
                .isLessThanOrEqualTo(leader.timer("log.fsync").getCount());

        for (String f : List.of("n2", "n3")) {
            MetricRegistry m = c.metrics(f);
            assertThat(gauge(m, P + "role")).isEqualTo(ReplicaState.FOLLOWER.ordinal());
            assertThat(m.counter(P + "replication.fetched-bytes").getCount()).isGreaterThanOrEqualTo(30 * "value-0".length());
            await(f + " has applied what the leader committed", 10_000, () -> gauge(m, P + "commit-lag") == 0
                    && gauge(m, P + "applied-offset") == c.replica("n1").commitEnd());
            assertThat(gauge(m, P + "log.end-offset")).isEqualTo(end);
        }
    }

    @Test
    void roleChangesCountAFailoverAndMetricsGoWhenTheReplicaCloses() throws Exception {
        startWithLeader("n1");
        writeSome("n1", 5);
        MetricRegistry n2 = c.metrics("n2");
        long before = n2.counter(P + "role-changes").getCount();
        assertThat(before).isGreaterThanOrEqualTo(1); // OFFLINE -> FENCED -> FOLLOWER

        c.stop("n1");
        c.startElection();
        c.elect("n2", List.of("n2", "n3"));
        await("n2 leads", 10_000, () -> c.replica("n2").view().state() == ReplicaState.LEADER);
        assertThat(n2.counter(P + "role-changes").getCount()).isGreaterThan(before);
        assertThat(gauge(n2, P + "role")).isEqualTo(ReplicaState.LEADER.ordinal());
        writeSome("n2", 3, "QUORUM"); // n1 is down: a majority, not every replica
        assertThat(gauge(n2, P + "commit-lag")).isBetween(0L, 1L); // QUORUM acknowledged: at most the in-flight tail

        // The partition znode goes: the next reconcile closes the replicas and their metrics go with them.
        c.zk.delete().forPath(c.layout.partition(NodeCluster.KS, 0));
        for (String n : List.of("n2", "n3")) {
            // The manager drops the replica from its map before closing it: wait for the close itself.
            await(n + " closed its replica and removed its metrics", 10_000, () -> c.maybeReplica(n).isEmpty()
                    && c.metrics(n).getNames().stream().noneMatch(name -> name.startsWith(P)));
            assertThat(c.metrics(n).getNames()).contains("log.fsync"); // node-wide ones stay
        }
    }

    @Test
    void flushCompactAndCheckpointTasksAndTheirRefusals() throws Exception {
        startWithLeader("n1");
        writeSome("n1", 20);
        MetricRegistry m = c.metrics("n1");

        HttpResponse<String> flush = task("n1", "flush-partition", "keyspace=kv&partition=0");
        assertThat(flush.statusCode()).as(flush.body()).isEqualTo(200);
        assertThat(flush.body()).startsWith("OK flushed kv/0");
        assertThat(gauge(m, P + "lsm.level.0.files")).isPositive();

        writeSome("n1", 5);
        task("n1", "flush-partition", "keyspace=kv&partition=0");
        HttpResponse<String> compact = task("n1", "compact-partition", "keyspace=kv&partition=0");
        assertThat(compact.statusCode()).as(compact.body()).isEqualTo(200);
        assertThat(compact.body()).startsWith("OK compacted kv/0");
        assertThat(gauge(m, P + "lsm.level.0.files")).isZero();

        HttpResponse<String> cp = task("n1", "checkpoint-partition", "keyspace=kv&partition=0&dir=cp/one");
        assertThat(cp.statusCode()).as(cp.body()).isEqualTo(200);
        assertThat(cp.body()).startsWith("OK checkpoint of kv/0");
        Path cpDir = dir.resolve("n1").resolve("cp").resolve("one");
        assertThat(Files.isDirectory(cpDir)).isTrue();
        assertThat(Files.list(cpDir).count()).isPositive();
        // Without dir: under dataDir/checkpoints.
        HttpResponse<String> cp2 = task("n1", "checkpoint-partition", "keyspace=kv&partition=0");
        assertThat(cp2.statusCode()).as(cp2.body()).isEqualTo(200);
        assertThat(Files.list(dir.resolve("n1").resolve("checkpoints")).count()).isEqualTo(1);
        // Data still readable after all that.
        assertThat(text(c.get("n1", "k3", "consistency=STRONG"))).isEqualTo("value-3");

        // Refusals: Dropwizard's task servlet answers 500 with the message (no 4xx available to tasks).
        assertRefused(task("n1", "flush-partition", "keyspace=kv&partition=7"), "holds no replica of partition kv/7");
        assertRefused(task("n1", "compact-partition", "keyspace=nope&partition=0"), "holds no replica of partition nope/0");
        assertRefused(task("n1", "flush-partition", "keyspace=kv"), "parameter 'partition' is required");
        assertRefused(task("n1", "flush-partition", "keyspace=kv&partition=x"), "partition must be a number");
        assertRefused(task("n1", "checkpoint-partition", "keyspace=kv&partition=0&dir=../outside"), "contains '..'");
        assertRefused(task("n1", "checkpoint-partition", "keyspace=kv&partition=0&dir=cp/../../outside"), "contains '..'");
        assertRefused(task("n1", "checkpoint-partition", "keyspace=kv&partition=0&dir=" + dir.resolve("elsewhere")),
                "outside the data directory");
        assertRefused(task("n1", "checkpoint-partition", "keyspace=kv&partition=0&dir=kv/0/lsm/cp"),
                "inside the directory of partition kv/0");
        assertRefused(task("n1", "checkpoint-partition", "keyspace=kv&partition=0&dir=cp/one"), "exists already");
        assertThat(Files.exists(dir.resolve("outside"))).isFalse();
        assertThat(Files.exists(dir.resolve("elsewhere"))).isFalse();
    }

    private static void assertRefused(HttpResponse<String> r, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
        assertThat(r.body()).contains("ERROR").contains(message);
    }
}
