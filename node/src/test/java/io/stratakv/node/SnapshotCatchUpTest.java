package io.stratakv.node;

import io.stratakv.node.replica.PartitionMetrics;
import io.stratakv.node.replica.ReplicaState;
import io.stratakv.node.resources.InternalServlet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static io.stratakv.node.NodeCluster.JSON;
import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.offsetOf;
import static io.stratakv.node.NodeCluster.text;
import static io.stratakv.node.ReplicaLifecycleSupport.NODES;
import static io.stratakv.node.ReplicaLifecycleSupport.assertHolds;
import static io.stratakv.node.ReplicaLifecycleSupport.awaitCaughtUp;
import static io.stratakv.node.ReplicaLifecycleSupport.counter;
import static io.stratakv.node.ReplicaLifecycleSupport.putWithRequestId;
import static io.stratakv.node.ReplicaLifecycleSupport.settings;
import static io.stratakv.node.ReplicaLifecycleSupport.startThree;
import static io.stratakv.node.ReplicaLifecycleSupport.writeMany;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN.md §4.7 on three real nodes: a replica stopped while the leader writes and, over its
 * retention cap, truncates its log past the replica's offset, comes back, catches up from a
 * snapshot (CATCHING_UP, then FOLLOWER) and then serves the same data, request ids included.
 */
class SnapshotCatchUpTest {

    /** 32 KiB of log at most: a hundred 1 KB writes push the leader's log well past it. */
    static final String CAP = "32KiB";

    @TempDir
    Path dir;
    NodeCluster c;

    @AfterEach
    void stop() throws Exception {
        InternalServlet.snapshotFaults = o -> o;
        if (c != null) {
            c.close();
        }
    }

    /** Leaves n3 stopped at its returned log end, and the leader n1's log starting past it. */
    private long leaveN3FarBehind() throws Exception {
        writeMany(c, "n1", "a", 20);
        awaitCaughtUp(c, "n3", "n1");
        long n3End = c.replica("n3").logEnd();
        c.stop("n3");
        writeMany(c, "n1", "b", 100);
        c.replica("n1").flush();
        c.app("n1").replicas().enforceRetentionNow();
        assertThat(c.replica("n1").logStart()).as("the retention cap truncated past n3").isGreaterThan(n3End);
        assertThat(c.replica("n1").logStart()).as("never past the flushed tables")
                .isLessThanOrEqualTo(c.replica("n1").persistedOffset());
        return n3End;
    }

    @Test
    void aFarBehindReplicaCatchesUpFromASnapshotAndRecognisesARetryAfterwards() throws Exception {
        c = startThree(dir, settings(CAP));
        HttpResponse<byte[]> first = putWithRequestId(c, "n1", "dup", "first", "retry-1");
        assertThat(first.statusCode()).as(text(first)).isEqualTo(200);
        long firstOffset = offsetOf(first);
        long n3End = leaveN3FarBehind();

        c.start("n3", settings(CAP));
        awaitCaughtUp(c, "n3", "n1");
        assertThat(counter(c, "n3", PartitionMetrics.SNAPSHOTS_INSTALLED)).isEqualTo(1);
        assertThat(counter(c, "n1", PartitionMetrics.SNAPSHOTS_SERVED)).isGreaterThanOrEqualTo(1);
        assertThat(c.replica("n3").logStart()).as("n3's log restarts after the snapshot").isGreaterThan(n3End);
        assertThat(c.replica("n3").logStart()).isGreaterThan(firstOffset);
        assertHolds(c, "n3", "a", 20);
        assertHolds(c, "n3", "b", 100);
        assertThat(text(c.get("n3", "dup", "consistency=EVENTUAL"))).isEqualTo("first");

        // n3 leads: the retry of "retry-1" (its entry came to n3 only inside the snapshot) applies nothing.
        c.startElection();
        c.elect("n3", NODES);
        await("n3 leads", 10_000, () -> c.replica("n3").view().state() == ReplicaState.LEADER);
        HttpResponse<byte[]> retry = putWithRequestId(c, "n3", "dup", "second", "retry-1");
        assertThat(retry.statusCode()).as(text(retry)).isEqualTo(200);
        assertThat(JSON.readTree(retry.body()).get("duplicate").asBoolean()).isTrue();
        assertThat(JSON.readTree(retry.body()).get("originalOffset").asLong()).isEqualTo(firstOffset);
        assertThat(text(c.get("n3", "dup", "consistency=STRONG"))).isEqualTo("first");
        // And n3 keeps replicating as leader: n1 follows it.
        writeMany(c, "n3", "c", 5);
        awaitCaughtUp(c, "n1", "n3");
        assertHolds(c, "n1", "c", 5);
    }

    @Test
    void aCorruptedSnapshotStreamIsRejectedAndRetriedNeverInstalled() throws Exception {
        c = startThree(dir, settings(CAP));
        leaveN3FarBehind();
        AtomicInteger corruptLeft = new AtomicInteger(2);
        InternalServlet.snapshotFaults = out -> corruptLeft.getAndDecrement() > 0 ? new FlipByte(out, 300) : out;

        c.start("n3", settings(CAP));
        awaitCaughtUp(c, "n3", "n1");
        assertThat(corruptLeft.get()).as("both corrupted streams were served").isLessThanOrEqualTo(0);
        assertThat(counter(c, "n3", PartitionMetrics.SNAPSHOTS_FAILED)).isGreaterThanOrEqualTo(2);
        assertThat(counter(c, "n3", PartitionMetrics.SNAPSHOTS_INSTALLED)).isEqualTo(1);
        assertThat(counter(c, "n1", PartitionMetrics.SNAPSHOTS_SERVED)).isGreaterThanOrEqualTo(3);
        assertHolds(c, "n3", "a", 20);
        assertHolds(c, "n3", "b", 100);
    }

    @Test
    void entriesOlderThanMaxAgeAreTruncatedAndTheReplicaLeftBehindCatchesUpBySnapshot() throws Exception {
        var s = settings("1GiB", "1s");
        c = startThree(dir, s);
        writeMany(c, "n1", "a", 20);
        awaitCaughtUp(c, "n3", "n1");
        long n3End = c.replica("n3").logEnd();
        c.stop("n3");
        writeMany(c, "n1", "b", 20);
        c.replica("n1").flush();
        long sampledEnd = c.replica("n1").logEnd();
        c.app("n1").replicas().enforceRetentionNow(); // samples (log end, now); nothing is old enough yet
        long sampledBy = System.currentTimeMillis();
        assertThat(c.replica("n1").logStart()).isLessThanOrEqualTo(n3End);
        writeMany(c, "n1", "c", 5);
        c.replica("n1").flush();
        // Once that sample is older than maxAge, everything below it goes though n3 never got it.
        await("maxAge passes for the sampled entries", 10_000, () -> System.currentTimeMillis() > sampledBy + 1_000);
        c.app("n1").replicas().enforceRetentionNow();
        assertThat(c.replica("n1").logStart()).isEqualTo(sampledEnd); // the newer ones stay

        c.start("n3", s);
        awaitCaughtUp(c, "n3", "n1");
        assertThat(counter(c, "n3", PartitionMetrics.SNAPSHOTS_INSTALLED)).isEqualTo(1);
        assertHolds(c, "n3", "b", 20);
        assertHolds(c, "n3", "c", 5);
    }

    /** Flips one byte of the stream (the per-file or the whole-stream checksum must catch it). */
    static final class FlipByte extends FilterOutputStream {
        private final long at;
        private long pos;

        FlipByte(OutputStream out, long at) {
            super(out);
            this.at = at;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(pos++ == at ? b ^ 0xFF : b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (at >= pos && at < pos + len) {
                byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
                copy[(int) (at - pos)] ^= (byte) 0xFF;
                out.write(copy, 0, len);
            } else {
                out.write(b, off, len);
            }
            pos += len;
        }
    }
}
