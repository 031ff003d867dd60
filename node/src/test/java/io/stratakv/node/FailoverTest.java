package io.stratakv.node;

import io.stratakv.node.replica.ReplicaState;
import io.stratakv.zk.contract.NodeStatus;
import io.stratakv.zk.contract.ReplicaRole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.errorCode;
import static io.stratakv.node.NodeCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Elections, fencing, divergent suffixes and restarts with three real nodes (DESIGN.md §4). */
class FailoverTest {

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

    private void startWithLeader(String leader) throws Exception {
        c = new NodeCluster(dir);
        for (String n : NODES) {
            c.start(n);
        }
        c.createPartition(NODES);
        c.elect(leader, NODES);
        await(leader + " leads", 10_000, () -> c.replica(leader).view().state() == ReplicaState.LEADER);
    }

    @Test
    void aDivergentSuffixIsTruncatedAfterFailoverAndCommittedEntriesStay() throws Exception {
        startWithLeader("n1");
        assertThat(c.put("n1", "a", "1", "consistency=QUORUM").statusCode()).isEqualTo(200);
        assertThat(c.put("n1", "b", "2", "consistency=ALL").statusCode()).isEqualTo(200);
        // n1 is cut off from its followers and still takes ONE writes: a suffix no majority has.
        c.stop("n2");
        c.stop("n3");
        HttpResponse<byte[]> lost = c.put("n1", "x", "lost", "consistency=ONE");
        assertThat(lost.statusCode()).as(text(lost)).isEqualTo(200);
        long n1EndBefore = c.replica("n1").logEnd();

        // The controller elects n2 at epoch 2 from the replicas it can reach.
        long e2 = c.startElection();
        assertThat(e2).isEqualTo(2);
        c.start("n2");
        c.start("n3");
        c.elect("n2", List.of("n2", "n3"));
        await("n2 leads epoch 2", 10_000, () -> c.replica("n2").view().state() == ReplicaState.LEADER);

        // n1 rejoins as a follower of epoch 2: its extra record is gone, committed ones intact.
        await("n1 follows n2 at epoch 2 and has caught up", 10_000, () -> {
            var v = c.replica("n1").view();
            return v.state() == ReplicaState.FOLLOWER && v.epoch() == 2
                    && c.replica("n1").logEnd() == c.replica("n2").logEnd();
        });
        assertThat(c.replica("n1").logEnd()).isLessThanOrEqualTo(n1EndBefore); // x cut, epoch-start of 2 added
        assertThat(c.get("n2", "x", "consistency=STRONG").statusCode()).isEqualTo(404);
        assertThat(text(c.get("n2", "a", "consistency=STRONG"))).isEqualTo("1");
        assertThat(text(c.get("n2", "b", "consistency=STRONG"))).isEqualTo("2");

        HttpResponse<byte[]> after = c.put("n2", "c", "3", "consistency=ALL");
        assertThat(after.statusCode()).as(text(after)).isEqualTo(200);
        await("n1 applies c", 10_000, () -> {
            try {
                return c.get("n1", "c", "consistency=EVENTUAL").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(c.get("n1", "x", "consistency=EVENTUAL").statusCode()).isEqualTo(404);
        assertThat(text(c.get("n1", "a", "consistency=EVENTUAL"))).isEqualTo("1");

        // The old leader answers writes with the new leader and epoch.
        HttpResponse<byte[]> redirect = c.put("n1", "d", "4", "");
        assertThat(redirect.statusCode()).isEqualTo(421);
        assertThat(errorCode(redirect)).isEqualTo("NOT_LEADER");
        var details = NodeCluster.JSON.readTree(redirect.body()).get("details");
        assertThat(details.get("leader").asText()).isEqualTo("n2");
        assertThat(details.get("leaderEpoch").asText()).isEqualTo("2");
    }

    @Test
    void staleEpochWritesFetchesAndFencesAreRefused() throws Exception {
        startWithLeader("n1");
        assertThat(c.put("n1", "a", "1", "").statusCode()).isEqualTo(200);
        c.startElection();
        c.elect("n1", NODES); // epoch 2, same leader
        await("n1 leads epoch 2", 10_000, () -> c.replica("n1").view().epoch() == 2
                && c.replica("n1").view().state() == ReplicaState.LEADER);
        long endBefore = c.replica("n1").logEnd();

        HttpResponse<byte[]> w = c.put("n1", "a", "stale", "epoch=1");
        assertThat(w.statusCode()).isEqualTo(409);
        assertThat(errorCode(w)).isEqualTo("STALE_EPOCH");
        assertThat(c.replica("n1").logEnd()).isEqualTo(endBefore);

        HttpResponse<byte[]> f = fetch("n1", "n2", 1, 0);
        assertThat(f.statusCode()).isEqualTo(409);
        assertThat(errorCode(f)).isEqualTo("STALE_EPOCH");

        HttpResponse<byte[]> fence = c.post(c.base("n2").resolve("/internal/v1/partitions/kv/0/fence"),
                NodeCluster.JSON.writeValueAsBytes(new io.stratakv.zk.contract.FenceRequest("kv", 0, 1, 1, NODES, List.of())),
                "application/json");
        assertThat(fence.statusCode()).isEqualTo(409);
        assertThat(errorCode(fence)).isEqualTo("STALE_EPOCH");

        // A current fetch answers; decode it by hand as REPLICATION_FORMAT.md describes it.
        HttpResponse<byte[]> ok = fetch("n1", "n2", 2, 0);
        assertThat(ok.statusCode()).isEqualTo(200);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(ok.body()));
        assertThat(in.readUnsignedByte()).isEqualTo(1);          // version
        assertThat(in.readLong()).isEqualTo(2);                  // leaderEpoch
        long commit = in.readLong();                              // commitEnd
        long leaderEnd = in.readLong();                           // leaderEnd
        assertThat(in.readLong()).isZero();                       // logStart
        in.readLong();                                            // readToken
        int n = in.readInt();                                     // record count
        assertThat(leaderEnd).isEqualTo(endBefore);
        assertThat(commit).isLessThanOrEqualTo(leaderEnd);
        assertThat(n).isPositive();
        assertThat(in.readLong()).isZero();                       // first record: offset 0
        assertThat(in.readLong()).isEqualTo(1);                   // its epoch
        int len = in.readInt();
        byte[] payload = in.readNBytes(len);
        assertThat(payload).containsExactly(3, 0, 0);             // the epoch-start record of epoch 1
        int crc = in.readInt();
        java.util.zip.CRC32C c32 = new java.util.zip.CRC32C();
        c32.update(payload);
        assertThat(crc).isEqualTo((int) c32.getValue());

        // A fetch naming a newer epoch makes the leader step down (it rereads ZooKeeper, which
        // still says epoch 2: it stays down until an election at a newer epoch).
        HttpResponse<byte[]> newer = fetch("n1", "n2", 5, endBefore);
        assertThat(newer.statusCode()).isEqualTo(409);
        await("n1 stepped down", 5_000, () -> c.replica("n1").view().state() == ReplicaState.FENCED);
        HttpResponse<byte[]> refused = c.put("n1", "b", "1", "");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(errorCode(refused)).isEqualTo("PARTITION_UNAVAILABLE");
    }

    private HttpResponse<byte[]> fetch(String leader, String replicaId, long epoch, long from) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(1);
        byte[] id = replicaId.getBytes(StandardCharsets.UTF_8);
        out.writeShort(id.length);
        out.write(id);
        out.writeLong(epoch);
        out.writeLong(from);     // fromOffset
        out.writeLong(0);        // durableEnd: claims nothing, so it moves no commit
        out.writeLong(0);        // knownCommit
        out.writeLong(0);        // readToken
        out.writeInt(1 << 20);   // maxBytes
        out.writeInt(0);         // maxWaitMs
        return c.http.send(HttpRequest.newBuilder(c.base(leader).resolve("/internal/v1/partitions/kv/0/fetch"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aRestartReplaysTheLogAndLosesNothingAcknowledgedUnderFsyncAlways() throws Exception {
        startWithLeader("n1");
        for (int i = 0; i < 40; i++) {
            HttpResponse<byte[]> r = c.put("n1", "k" + i, "v" + i, "consistency=QUORUM");
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        }
        for (String n : NODES) {
            c.stop(n);
        }
        for (String n : NODES) {
            c.start(n);
        }
        // A restarted node never resumes leading the epoch it led: it waits for an election.
        await("n1 is fenced after its restart", 10_000, () -> c.maybeReplica("n1")
                .map(r -> r.view().state() == ReplicaState.FENCED).orElse(false));
        // ... and says so in its status (STOPPED at the epoch ZooKeeper names it leader of), which is
        // what makes a controller elect again instead of waiting for it forever.
        HttpResponse<byte[]> refused = c.http.send(HttpRequest.newBuilder(c.base("n1").resolve("/internal/v1/status")).GET()
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(NodeCluster.JSON.readValue(refused.body(), NodeStatus.class).partitions()).singleElement()
                .satisfies(p -> {
                    assertThat(p.role()).isEqualTo(ReplicaRole.STOPPED);
                    assertThat(p.epoch()).isEqualTo(1);
                });
        c.startElection();
        c.elect("n2", NODES);
        await("n2 leads epoch 2", 10_000, () -> c.replica("n2").view().state() == ReplicaState.LEADER);
        for (int i = 0; i < 40; i++) {
            HttpResponse<byte[]> g = c.get("n2", "k" + i, "consistency=STRONG");
            assertThat(g.statusCode()).as(text(g)).isEqualTo(200);
            assertThat(text(g)).isEqualTo("v" + i);
        }
        await("n1 follows n2", 10_000, () -> c.replica("n1").view().state() == ReplicaState.FOLLOWER);

        HttpResponse<byte[]> s = c.http.send(HttpRequest.newBuilder(c.base("n2").resolve("/internal/v1/status")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        NodeStatus status = NodeCluster.JSON.readValue(s.body(), NodeStatus.class);
        assertThat(status.nodeId()).isEqualTo("n2");
        assertThat(status.incarnation()).isEqualTo(2);
        assertThat(status.partitions()).singleElement().satisfies(p -> {
            assertThat(p.role()).isEqualTo(ReplicaRole.LEADER);
            assertThat(p.epoch()).isEqualTo(2);
            assertThat(p.commitOffset()).isGreaterThan(40);
        });
    }
}
