package io.stratakv.node;

import io.stratakv.node.replica.PartitionMetrics;
import io.stratakv.node.replica.Replica;
import io.stratakv.node.replica.ReplicaState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.ReplicaLifecycleSupport.NODES;
import static io.stratakv.node.ReplicaLifecycleSupport.assertHolds;
import static io.stratakv.node.ReplicaLifecycleSupport.awaitCaughtUp;
import static io.stratakv.node.ReplicaLifecycleSupport.counter;
import static io.stratakv.node.ReplicaLifecycleSupport.settings;
import static io.stratakv.node.ReplicaLifecycleSupport.startThree;
import static io.stratakv.node.ReplicaLifecycleSupport.writeMany;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Log prefix truncation on three real nodes (DESIGN.md §3): the leader cuts its log only below what
 * every replica holds and what its tables hold; followers follow the leader's start; a restart
 * after truncation replays the rest from the tree's persisted offset.
 */
class LogTruncationTest {

    /** Far above anything these tests write: only the every-replica rule truncates. */
    static final String NO_CAP = "1GiB";

    @TempDir
    Path dir;
    NodeCluster c;

    @AfterEach
    void stop() throws Exception {
        if (c != null) {
            c.close();
        }
    }

    private long enforce(String node) {
        c.app(node).replicas().enforceRetentionNow();
        return c.replica(node).logStart();
    }

    @Test
    void theLeaderTruncatesOnlyWhatEveryReplicaHolds() throws Exception {
        c = startThree(dir, settings(NO_CAP));
        writeMany(c, "n1", "a", 10);
        awaitCaughtUp(c, "n3", "n1");
        long n3End = c.replica("n3").logEnd();
        c.stop("n3");
        writeMany(c, "n1", "b", 60);
        c.replica("n1").flush();
        assertThat(c.replica("n1").persistedOffset()).as("the tables alone would allow more").isGreaterThan(n3End + 30);

        long start = enforce("n1");
        assertThat(start).as("not past what n3 holds").isLessThanOrEqualTo(n3End);

        c.start("n3", settings(NO_CAP));
        awaitCaughtUp(c, "n3", "n1");
        assertThat(counter(c, "n3", PartitionMetrics.SNAPSHOTS_INSTALLED)).as("n3 caught up from the log").isZero();
        // Once n3's fetches report it holds everything, the leader cuts up to its flushed offset.
        long persisted = c.replica("n1").persistedOffset();
        await("the leader truncates once every replica holds the entries", 10_000, () -> enforce("n1") == persisted);
        assertThat(c.replica("n1").logStart()).isGreaterThan(n3End);

        // Followers follow the leader's start, below their own flushed offset.
        c.replica("n2").flush();
        await("n2 truncates to the leader's start", 10_000, () -> enforce("n2") > n3End);
        assertThat(c.replica("n2").logStart()).isLessThanOrEqualTo(c.replica("n1").logStart());
        assertThat(c.replica("n2").logStart()).isLessThanOrEqualTo(c.replica("n2").persistedOffset());
        assertHolds(c, "n2", "a", 10);
        assertHolds(c, "n2", "b", 60);
    }

    @Test
    void entriesNotYetInTheTablesAreNeverTruncated() throws Exception {
        c = startThree(dir, settings(NO_CAP));
        writeMany(c, "n1", "a", 20);
        awaitCaughtUp(c, "n2", "n1");
        awaitCaughtUp(c, "n3", "n1");
        // Nothing flushed yet (4 MiB memtables): every replica holds everything, the tables nothing.
        assertThat(c.replica("n1").persistedOffset()).isLessThan(0);
        assertThat(enforce("n1")).isZero();
    }

    @Test
    void aRestartAfterTruncationReplaysFromTheTreeAndLosesNothing() throws Exception {
        c = startThree(dir, settings(NO_CAP));
        writeMany(c, "n1", "a", 30);
        c.replica("n1").flush();
        writeMany(c, "n1", "b", 10); // applied, in the memtable only: a restart replays them from the log
        awaitCaughtUp(c, "n2", "n1");
        awaitCaughtUp(c, "n3", "n1");
        long persisted = c.replica("n1").persistedOffset();
        await("the leader truncates", 10_000, () -> enforce("n1") == persisted);
        long start = c.replica("n1").logStart();
        long end = c.replica("n1").logEnd();
        assertThat(start).isGreaterThan(0).isLessThan(end - 10);

        c.stop("n1");
        c.start("n1", settings(NO_CAP));
        Replica n1 = c.replica("n1");
        assertThat(n1.logStart()).isEqualTo(start);
        assertThat(n1.logEnd()).isEqualTo(end);
        assertThat(n1.persistedOffset()).isEqualTo(persisted);
        // The restarted node waits for an election (it never resumes the term it led); n2 leads epoch 2.
        c.startElection();
        c.elect("n2", NODES);
        await("n2 leads", 10_000, () -> c.replica("n2").view().state() == ReplicaState.LEADER);
        awaitCaughtUp(c, "n1", "n2");
        assertHolds(c, "n1", "a", 30);
        assertHolds(c, "n1", "b", 10);
        assertThat(counter(c, "n1", PartitionMetrics.SNAPSHOTS_INSTALLED)).isZero();
    }
}
