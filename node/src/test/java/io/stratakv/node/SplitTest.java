package io.stratakv.node;

import io.stratakv.node.replica.Replica;
import io.stratakv.node.replica.ReplicaState;
import io.stratakv.storage.VersionedValue;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.contract.FenceRequest;
import io.stratakv.zk.contract.FenceResponse;
import io.stratakv.zk.contract.PartitionStatus;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.hash.KeyHash;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.SplitPlan;
import io.stratakv.zk.records.ZkCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.stratakv.node.NodeCluster.JSON;
import static io.stratakv.node.NodeCluster.KS;
import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.errorCode;
import static io.stratakv.node.NodeCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Partition splits on three real nodes (DESIGN.md §5, node/README.md "Splits"); the test plays
 * the controller: it marks partition 0 SPLITTING, waits until every replica reports it split,
 * publishes the two children (OFFLINE at the parent's epoch) and retires the parent in one
 * ZooKeeper transaction, then elects each child as the controller would.
 */
class SplitTest {

    static final List<String> NODES = List.of("n1", "n2", "n3");
    static final int LOWER = 1;
    static final int UPPER = 2;

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
    void splitUnderWritesLeavesEveryAcknowledgedKeyInExactlyOneChildWithItsVersion() throws Exception {
        HttpResponse<byte[]> first = putWithId("n1", "dedup-key", "original", "rid-dedup");
        assertThat(first.statusCode()).as(text(first)).isEqualTo(200);
        long dedupVersion = JSON.readTree(first.body()).get("version").asLong();

        Map<String, Long> acked = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int wid = w;
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String k = "w" + wid + "-" + i;
                    try {
                        HttpResponse<byte[]> r = putWithId("n1", k, "v-" + k, "rid-" + k);
                        if (r.statusCode() == 200) {
                            acked.put(k, JSON.readTree(r.body()).get("version").asLong());
                        } else if (r.statusCode() == 503 && errorCode(r).equals("PARTITION_SPLIT")) {
                            assertThat(r.headers().firstValue("Retry-After")).isPresent();
                            refused.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }
            }));
        }
        await("some writes acknowledged before the split", 10_000, () -> acked.size() > 200);

        requestSplit();
        await("every replica reports its split", 20_000, () -> NODES.stream().allMatch(n -> status(n).splitAt().isPresent()));
        await("writers see the parent refuse writes", 10_000, () -> refused.get() > 0);
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }
        long splitAt = status("n1").splitAt().getAsLong();
        assertThat(NODES).allMatch(n -> status(n).splitAt().getAsLong() == splitAt);
        HttpResponse<byte[]> late = c.put("n1", "late", "x", "");
        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(errorCode(late)).isEqualTo("PARTITION_SPLIT");

        completeSplit();
        electChild(LOWER, "n1");
        electChild(UPPER, "n2");

        for (String n : NODES) {
            await(n + " applied both children's epoch starts", 10_000,
                    () -> child(n, LOWER).commitEnd() > splitAt + 1 && child(n, UPPER).commitEnd() > splitAt + 1);
            for (Map.Entry<String, Long> e : acked.entrySet()) {
                byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
                boolean lower = Long.compareUnsigned(KeyHash.hash(key), Long.MAX_VALUE) <= 0;
                VersionedValue in = child(n, lower ? LOWER : UPPER).eventualRead(key);
                VersionedValue other = child(n, lower ? UPPER : LOWER).eventualRead(key);
                assertThat(in).as("%s on %s", e.getKey(), n).isNotNull();
                assertThat(in.version()).as("version of %s on %s", e.getKey(), n).isEqualTo(e.getValue());
                assertThat(new String(in.value(), StandardCharsets.UTF_8)).isEqualTo("v-" + e.getKey());
                assertThat(other).as("%s only in its own half on %s", e.getKey(), n).isNull();
            }
        }
        // A retry of a write from before the split is recognised by the child that took its key.
        int dedupChild = Long.compareUnsigned(KeyHash.hash("dedup-key".getBytes(StandardCharsets.UTF_8)), Long.MAX_VALUE) <= 0
                ? LOWER : UPPER;
        String leader = dedupChild == LOWER ? "n1" : "n2";
        HttpResponse<byte[]> retry = putWithId(leader, "dedup-key", "original", "rid-dedup");
        assertThat(retry.statusCode()).as(text(retry)).isEqualTo(200);
        assertThat(JSON.readTree(retry.body()).get("duplicate").asBoolean()).isTrue();
        assertThat(JSON.readTree(retry.body()).get("version").asLong()).isEqualTo(dedupVersion);
        // New writes go to the children.
        HttpResponse<byte[]> after = c.put(leader, "dedup-key", "new", "");
        assertThat(after.statusCode()).as(text(after)).isEqualTo(200);
        assertThat(JSON.readTree(after.body()).get("offset").asLong()).isGreaterThan(splitAt);

        for (String n : NODES) {
            Path parentDir = dir.resolve(n).resolve(KS).resolve("0");
            await("the retired parent's files are deleted on " + n, 10_000, () -> !Files.exists(parentDir));
            assertThat(c.app(n).replicas().replica(KS, 0)).isEmpty();
        }
    }

    @Test
    void aRestartInTheMiddleOfTheLocalSplitCompletesIt() throws Exception {
        Map<String, Long> written = new java.util.TreeMap<>();
        for (int i = 0; i < 300; i++) {
            HttpResponse<byte[]> r = c.put("n1", "k" + i, "v" + i, "");
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
            written.put("k" + i, JSON.readTree(r.body()).get("version").asLong());
        }
        // n3 is down when the split entry commits: it applies it after its restart.
        c.stop("n3");
        requestSplit();
        await("n1 and n2 split", 20_000, () -> status("n1").splitAt().isPresent() && status("n2").splitAt().isPresent());
        c.start("n3");
        await("n3 splits after its restart", 20_000, () -> status("n3").splitAt().isPresent());

        // A crash in the middle of the local split on n3: the upper child was not renamed into
        // place yet, its temporary directory holds a partial build, the done marker is missing.
        c.stop("n3");
        Path ks = dir.resolve("n3").resolve(KS);
        deleteTree(ks.resolve(Integer.toString(UPPER)));
        Files.delete(ks.resolve("0").resolve("split-done"));
        Files.createDirectories(ks.resolve(".split-" + UPPER + ".tmp").resolve("lsm"));
        Files.writeString(ks.resolve(".split-" + UPPER + ".tmp").resolve("lsm").resolve("junk"), "partial");
        c.start("n3");
        await("n3 finishes its split after the second restart", 20_000, () -> status("n3").splitAt().isPresent());
        assertThat(ks.resolve(Integer.toString(UPPER))).isDirectory();
        assertThat(ks.resolve(".split-" + UPPER + ".tmp")).doesNotExist();

        long splitAt = status("n1").splitAt().getAsLong();
        assertThat(status("n3").splitAt()).hasValue(splitAt);
        completeSplit();
        electChild(LOWER, "n2");
        electChild(UPPER, "n3");
        for (String n : NODES) {
            await(n + " applied both children's epoch starts", 10_000,
                    () -> child(n, LOWER).commitEnd() > splitAt + 1 && child(n, UPPER).commitEnd() > splitAt + 1);
        }
        for (Map.Entry<String, Long> e : written.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            int half = Long.compareUnsigned(KeyHash.hash(key), Long.MAX_VALUE) <= 0 ? LOWER : UPPER;
            for (String n : NODES) {
                VersionedValue v = child(n, half).eventualRead(key);
                assertThat(v).as("%s on %s", e.getKey(), n).isNotNull();
                assertThat(v.version()).isEqualTo(e.getValue());
                assertThat(child(n, half == LOWER ? UPPER : LOWER).eventualRead(key)).isNull();
            }
        }
    }

    // ------------------------------------------------------------------------------------ the controller's part

    private void requestSplit() throws Exception {
        Versioned<PartitionRecord> r = c.record();
        c.cas(r, r.value().splitting(new SplitPlan(LOWER, UPPER, Instant.now()), c.controllerEpoch));
    }

    /** As Splits.complete: the children OFFLINE at the parent's epoch, the parent RETIRED, in one transaction. */
    private void completeSplit() throws Exception {
        Versioned<PartitionRecord> r = c.record();
        PartitionRecord p = r.value();
        HashRange.Halves h = p.range().split();
        PartitionRecord lower = new PartitionRecord(PartitionRecord.SCHEMA_V1, KS, LOWER, h.lower(), p.replicas(),
                List.of(), Optional.empty(), p.leaderEpoch(), PartitionState.OFFLINE, c.controllerEpoch,
                Optional.empty(), Optional.empty());
        PartitionRecord upper = new PartitionRecord(PartitionRecord.SCHEMA_V1, KS, UPPER, h.upper(), p.replicas(),
                List.of(), Optional.empty(), p.leaderEpoch(), PartitionState.OFFLINE, c.controllerEpoch,
                Optional.empty(), Optional.empty());
        c.zk.transaction().forOperations(
                c.zk.transactionOp().create().forPath(c.layout.partition(KS, LOWER), ZkCodec.encode(lower)),
                c.zk.transactionOp().create().forPath(c.layout.partition(KS, UPPER), ZkCodec.encode(upper)),
                c.zk.transactionOp().setData().withVersion(r.version()).forPath(c.layout.partition(KS, 0),
                        ZkCodec.encode(p.retired(c.controllerEpoch))));
    }

    /** DESIGN.md §4.3 for a child: the next epoch, fence every replica (they agree on where they are), publish. */
    private void electChild(int pid, String leader) throws Exception {
        await("every node opened child " + pid, 10_000,
                () -> NODES.stream().allMatch(n -> c.app(n).replicas().replica(KS, pid).isPresent()));
        Versioned<PartitionRecord> r = ZkCodec.read(c.zk, c.layout.partition(KS, pid), PartitionRecord.class).orElseThrow();
        PartitionRecord electing = r.value().electing(c.controllerEpoch);
        c.zk.setData().withVersion(r.version()).forPath(c.layout.partition(KS, pid), ZkCodec.encode(electing));
        List<FenceResponse> fenced = new ArrayList<>();
        for (String n : NODES) {
            FenceRequest req = new FenceRequest(KS, pid, electing.leaderEpoch(), c.controllerEpoch, electing.replicas(),
                    List.of());
            HttpResponse<byte[]> resp = c.post(c.base(n).resolve("/internal/v1/partitions/" + KS + "/" + pid + "/fence"),
                    JSON.writeValueAsBytes(req), "application/json");
            assertThat(resp.statusCode()).as(text(resp)).isEqualTo(200);
            fenced.add(JSON.readValue(resp.body(), FenceResponse.class));
        }
        // Every child replica starts where the split left it: the same last epoch and end offset.
        assertThat(fenced.stream().map(f -> f.lastEpoch() + "@" + f.endOffset()).distinct()).hasSize(1);
        Versioned<PartitionRecord> now = ZkCodec.read(c.zk, c.layout.partition(KS, pid), PartitionRecord.class).orElseThrow();
        c.zk.setData().withVersion(now.version()).forPath(c.layout.partition(KS, pid),
                ZkCodec.encode(now.value().online(leader, c.controllerEpoch)));
        await(leader + " leads child " + pid, 10_000, () -> child(leader, pid).view().state() == ReplicaState.LEADER);
    }

    // ------------------------------------------------------------------------------------ helpers

    private Replica child(String node, int pid) {
        return c.app(node).replicas().replica(KS, pid).orElseThrow(() -> new AssertionError(node + " has no child " + pid));
    }

    private PartitionStatus status(String node) {
        return c.maybeReplica(node).map(Replica::status)
                .orElse(new PartitionStatus(KS, 0, io.stratakv.zk.contract.ReplicaRole.STOPPED, 0, 0, 0, 0, 0, 0, 0));
    }

    private HttpResponse<byte[]> putWithId(String node, String key, String value, String requestId) throws Exception {
        return c.http.send(HttpRequest.newBuilder(c.kv(node, key, "")).header("X-Request-Id", requestId)
                .PUT(HttpRequest.BodyPublishers.ofString(value)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
