package io.stratakv.node;

import io.dropwizard.testing.ConfigOverride;
import io.stratakv.node.replica.MemtableBudget;
import io.stratakv.node.replica.Replica;
import io.stratakv.node.replica.ReplicaState;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.contract.FenceRequest;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.KeyspaceState;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;
import io.stratakv.zk.records.ZkCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.stratakv.node.NodeCluster.KS;
import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node-wide memtable budget on a real node holding four partitions (one replica each): writes
 * spread over them that together exceed the budget, while every partition stays far below its own
 * {@code storage.memtableSize}, get flushed until the sum is under the budget again; with the
 * budget off nothing is flushed.
 */
class MemtableBudgetTest {

    static final int PARTITIONS = 4;
    static final String BUDGET = "256KiB";
    static final long BUDGET_BYTES = 256 * 1024;
    /** About a kilobyte a value: 800 writes put about 3x the budget into memtables. */
    static final String FILLER = "m".repeat(1000);
    static final int WRITES = 800;

    @TempDir
    Path dir;
    NodeCluster c;

    @AfterEach
    void stopCluster() throws Exception {
        if (c != null) {
            c.close();
        }
        // NodeCluster's overrides are dw.* system properties, which can outlive the app (helper-rules):
        // no later test in this JVM may inherit a small budget. The others are set by every NodeCluster start.
        System.clearProperty("dw.storage.memtableBudget");
    }

    private void startNode(String budget) throws Exception {
        c = new NodeCluster(dir);
        c.start("n1", ConfigOverride.config("storage.memtableBudget", budget),
                ConfigOverride.config("storage.memtableSize", "4MiB"));
        KeyspaceRecord ks = KeyspaceRecord.creating(KS, PARTITIONS, 1, WriteConsistency.QUORUM, ReadConsistency.STRONG,
                false, Map.of(), Instant.now()).withState(KeyspaceState.ACTIVE);
        c.zk.create().forPath(c.layout.keyspace(KS), ZkCodec.encode(ks));
        HashRange.Halves halves = HashRange.full().split();
        List<HashRange> ranges = new ArrayList<>();
        for (HashRange h : List.of(halves.lower(), halves.upper())) {
            ranges.add(h.split().lower());
            ranges.add(h.split().upper());
        }
        for (int pid = 0; pid < PARTITIONS; pid++) {
            PartitionRecord p = PartitionRecord.initial(KS, pid, ranges.get(pid), List.of("n1"), c.controllerEpoch)
                    .electing(c.controllerEpoch);
            c.zk.create().creatingParentsIfNeeded().forPath(c.layout.partition(KS, pid), ZkCodec.encode(p));
        }
        for (int pid = 0; pid < PARTITIONS; pid++) {
            elect(pid);
        }
        for (int pid = 0; pid < PARTITIONS; pid++) {
            final int p = pid;
            await("n1 leads partition " + p, 10_000, () -> replica(p).map(r -> r.view().state() == ReplicaState.LEADER)
                    .orElse(false));
        }
    }

    /** DESIGN.md §4.3 for one partition of one replica: fence it at the record's epoch, publish it as leader. */
    private void elect(int pid) throws Exception {
        await("n1 opened partition " + pid, 10_000, () -> replica(pid).isPresent());
        Versioned<PartitionRecord> r = ZkCodec.read(c.zk, c.layout.partition(KS, pid), PartitionRecord.class).orElseThrow();
        FenceRequest req = new FenceRequest(KS, pid, r.value().leaderEpoch(), c.controllerEpoch, List.of("n1"), List.of());
        HttpResponse<byte[]> resp = c.post(c.base("n1").resolve("/internal/v1/partitions/" + KS + "/" + pid + "/fence"),
                NodeCluster.JSON.writeValueAsBytes(req), "application/json");
        assertThat(resp.statusCode()).as(text(resp)).isEqualTo(200);
        c.zk.setData().withVersion(r.version()).forPath(c.layout.partition(KS, pid),
                ZkCodec.encode(r.value().online("n1", c.controllerEpoch)));
    }

    private java.util.Optional<Replica> replica(int pid) {
        return c.app("n1").replicas().replica(KS, pid);
    }

    private MemtableBudget budget() {
        return c.app("n1").replicas().memtableBudget();
    }

    private long gauge(String name) {
        return ((Number) c.metrics("n1").getGauges().get(name).getValue()).longValue();
    }

    private void writeAll() throws Exception {
        for (int i = 0; i < WRITES; i++) {
            HttpResponse<byte[]> r = c.put("n1", "key-" + i, i + FILLER, "consistency=ALL");
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        }
    }

    private void assertAllReadable() throws Exception {
        for (int i = 0; i < WRITES; i++) {
            HttpResponse<byte[]> r = c.get("n1", "key-" + i, "consistency=STRONG");
            assertThat(r.statusCode()).as("key-%d: %s", i, text(r)).isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(i + FILLER);
        }
    }

    /** Every partition got a share of the writes (so the budget had several replicas to pick from). */
    private void assertSpreadOverAllPartitions() {
        for (int pid = 0; pid < PARTITIONS; pid++) {
            assertThat(replica(pid).orElseThrow().commitEnd()).as("partition %d", pid).isGreaterThan(WRITES / 10);
        }
    }

    @Test
    void writesOverTheBudgetAcrossPartitionsAreFlushedBackUnderIt() throws Exception {
        startNode(BUDGET);
        assertThat(budget().budgetBytes()).isEqualTo(BUDGET_BYTES);
        assertThat(gauge(MemtableBudget.BUDGET_BYTES)).isEqualTo(BUDGET_BYTES);
        writeAll();
        assertSpreadOverAllPartitions();
        // Far more than the budget went in; no memtable came near its own 4 MiB cap, so only the budget flushes.
        await("memtables back under the budget", 20_000, () -> gauge(MemtableBudget.TOTAL_BYTES) <= BUDGET_BYTES);
        assertThat(budget().flushesRequested()).isPositive();
        assertThat(c.metrics("n1").counter(MemtableBudget.BUDGET_FLUSHES).getCount()).isEqualTo(budget().flushesRequested());
        int flushedPartitions = 0;
        for (int pid = 0; pid < PARTITIONS; pid++) {
            flushedPartitions += replica(pid).orElseThrow().persistedOffset() > 0 ? 1 : 0;
        }
        assertThat(flushedPartitions).as("partitions whose memtables reached tables").isGreaterThanOrEqualTo(2);
        assertAllReadable();
        // Still readable from the tables after a restart (the flushes made the log durable first).
        c.stop("n1");
        c.start("n1", ConfigOverride.config("storage.memtableBudget", BUDGET));
        for (int pid = 0; pid < PARTITIONS; pid++) {
            // A restarted leader waits for a new election (Replica.onRecord): the next epoch, fence, publish.
            final int p = pid;
            await("n1 reopened partition " + p, 10_000, () -> replica(p).isPresent());
            Versioned<PartitionRecord> r = ZkCodec.read(c.zk, c.layout.partition(KS, pid), PartitionRecord.class)
                    .orElseThrow();
            c.zk.setData().withVersion(r.version()).forPath(c.layout.partition(KS, pid),
                    ZkCodec.encode(r.value().electing(c.controllerEpoch)));
            elect(pid);
            await("n1 leads partition " + p + " again", 10_000, () -> replica(p).map(rep -> rep.view().state()
                    == ReplicaState.LEADER).orElse(false));
        }
        assertAllReadable();
    }

    @Test
    void anUnlimitedBudgetFlushesNothing() throws Exception {
        startNode("0");
        assertThat(budget().budgetBytes()).isZero();
        writeAll();
        assertSpreadOverAllPartitions();
        assertThat(budget().checkNow()).isZero();
        assertThat(budget().flushesRequested()).isZero();
        // Everything written is still in memtables: nothing was flushed, by the budget or otherwise.
        assertThat(gauge(MemtableBudget.TOTAL_BYTES)).isGreaterThan(3 * BUDGET_BYTES);
        for (int pid = 0; pid < PARTITIONS; pid++) {
            assertThat(replica(pid).orElseThrow().persistedOffset()).as("partition %d", pid).isLessThanOrEqualTo(0);
        }
        assertAllReadable();
    }
}
