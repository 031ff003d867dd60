package io.stratakv.node.replica;

import io.stratakv.node.replication.SnapshotStream;
import io.stratakv.storage.fs.RealFs;
import io.stratakv.zk.contract.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;

/**
 * Follower side of a snapshot transfer, run by the follower term's thread while the replica is
 * CATCHING_UP: stream the leader's snapshot into the staging directory, verify every checksum,
 * trial-open the staged store, then let the replica swap it in (SnapshotInstaller). Anything that
 * fails deletes the staging directory and leaves the current store as it was; the loop retries.
 */
final class SnapshotCatchUp {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCatchUp.class);
    /** Larger than any table or manifest of ours; a bigger size field is garbage. */
    static final long MAX_FILE_BYTES = 64L << 30;

    private SnapshotCatchUp() {
    }

    static void run(Replica replica, ReplicaContext ctx, long epoch, URI leaderUri) {
        Path dir = replica.store().dir();
        try {
            Path lsm = SnapshotInstaller.beginStaging(dir);
            SnapshotStream.Header h;
            try (InputStream in = ctx.replicationClient().snapshot(leaderUri, replica.keyspace(), replica.partitionId(),
                    epoch, ctx.nodeId())) {
                h = SnapshotStream.read(in, RealFs.INSTANCE, lsm, MAX_FILE_BYTES);
            }
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(lsm)) {
                replica.metrics().snapshotReceived(files.mapToLong(p -> p.toFile().length()).sum());
            }
            if (!h.keyspace().equals(replica.keyspace()) || h.partitionId() != replica.partitionId()
                    || h.leaderEpoch() != epoch) {
                throw new SnapshotStream.MalformedSnapshot("the stream is of " + h.keyspace() + "/" + h.partitionId()
                        + " at epoch " + h.leaderEpoch() + ", not " + replica.where() + " at epoch " + epoch);
            }
            SnapshotInstaller.completeStaging(dir, h, ctx.storeOptions());
            replica.installSnapshot(epoch, h);
        } catch (IOException | RuntimeException e) {
            SnapshotInstaller.discardStaging(dir);
            replica.metrics().snapshotFailed();
            LOG.warn("replica {}: snapshot from {} at epoch {} not installed: {}", replica.where(), leaderUri, epoch,
                    e.toString());
            if (e instanceof ReplicaException re) {
                throw re;
            }
            throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "snapshot transfer for " + replica.where()
                    + " failed: " + e);
        }
    }
}
