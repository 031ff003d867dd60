package io.stratakv.node.replica;

import io.stratakv.node.replication.SnapshotStream;
import io.stratakv.storage.PartitionStore;
import io.stratakv.storage.lsm.CheckpointInfo;
import io.stratakv.storage.log.EpochEntry;
import io.stratakv.zk.contract.ErrorCode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Leader side of a snapshot transfer (DESIGN.md §4.7): a hard-linked checkpoint of the tree at its
 * applied offset, the epoch of the entry at that offset, and the stream (SNAPSHOT_FORMAT.md). The
 * checkpoint is taken under the replica's log-prefix lock, so the log cannot lose the entry whose
 * epoch the header names in between. The tree holds only applied entries, which are committed, so
 * what a follower installs can never be taken back by a failover; the request-id table is part of
 * the tree and travels with it.
 */
public final class SnapshotSource implements AutoCloseable {

    private final Replica replica;
    private final SnapshotStream.Header header;
    private final Path dir;
    private final List<String> files;

    private SnapshotSource(Replica replica, SnapshotStream.Header header, Path dir, List<String> files) {
        this.replica = replica;
        this.header = header;
        this.dir = dir;
        this.files = files;
    }

    /**
     * Checks that this replica leads epoch and that replicaId is a member, then checkpoints the tree
     * under workDir. Close the result to delete the checkpoint.
     */
    public static SnapshotSource prepare(Replica replica, String replicaId, long epoch, Path workDir) {
        if (epoch > replica.view().epoch()) {
            replica.sawNewerEpoch(epoch);
            throw new ReplicaException(ErrorCode.FENCED, "replica " + replica.where() + " learned of epoch " + epoch
                    + " from " + replicaId + " and stepped down");
        }
        LeaderTerm t = replica.leading(epoch);
        if (!t.isMember(replicaId)) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "node " + replicaId + " is not a replica of "
                    + replica.where() + " at epoch " + t.epoch);
        }
        Path target = workDir.resolve(replica.keyspace() + "-" + replica.partitionId() + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new ReplicaException(ErrorCode.INTERNAL, "cannot create " + workDir + ": " + e);
        }
        long offset;
        long snapshotEpoch;
        synchronized (replica.logPrefixLock) {
            PartitionStore store = replica.store();
            CheckpointInfo cp = store.checkpoint(target);
            offset = cp.appliedLogOffset();
            snapshotEpoch = epochAt(store, offset, replica.snapshotBase);
        }
        if (offset < 0 || snapshotEpoch < 0) {
            deleteQuietly(target);
            throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "the leader of " + replica.where()
                    + " has no snapshot to give yet (applied " + offset + "); retry after its next commit",
                    Map.of());
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(target)) {
            List<String> all = s.map(p -> p.getFileName().toString()).sorted().toList();
            all.stream().filter(n -> n.endsWith(".sst")).forEach(names::add);
            all.stream().filter(n -> n.startsWith("MANIFEST-")).forEach(names::add);
            all.stream().filter(n -> n.equals("CURRENT")).forEach(names::add);
        } catch (IOException e) {
            deleteQuietly(target);
            throw new ReplicaException(ErrorCode.INTERNAL, "cannot list checkpoint " + target + ": " + e);
        }
        SnapshotStream.Header h = new SnapshotStream.Header(replica.keyspace(), replica.partitionId(), t.epoch, offset,
                snapshotEpoch, names.size());
        return new SnapshotSource(replica, h, target, List.copyOf(names));
    }

    /**
     * The epoch of the log entry at offset, if the log still holds it or it is the last entry of the
     * snapshot this log continues (-1 otherwise).
     */
    private static long epochAt(PartitionStore store, long offset, SnapshotInstaller.Base base) {
        if (base != null && base.offset() == offset && offset + 1 == store.log().startOffset()) {
            return base.epoch();
        }
        if (offset < store.log().startOffset() || offset >= store.log().endOffset()) {
            return -1;
        }
        long found = -1;
        for (EpochEntry e : store.log().epochs()) {
            if (e.startOffset() <= offset) {
                found = e.epoch();
            }
        }
        return found;
    }

    public SnapshotStream.Header header() {
        return header;
    }

    /** Streams the snapshot; returns the file bytes sent. */
    public long writeTo(OutputStream out) throws IOException {
        long bytes = SnapshotStream.write(out, header, dir, files);
        replica.metrics().snapshotServed(bytes);
        return bytes;
    }

    @Override
    public void close() {
        deleteQuietly(dir);
    }

    private static void deleteQuietly(Path dir) {
        try {
            SnapshotInstaller.deleteTree(dir);
        } catch (IOException ignored) {
            // the work directory is emptied at the next start
        }
    }
}
