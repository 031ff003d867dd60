package io.stratakv.node.replica;

import io.stratakv.node.replication.FetchRequest;
import io.stratakv.node.replication.FetchResponse;
import io.stratakv.node.replication.ReplicationCodec.EpochEndRequest;
import io.stratakv.node.replication.ReplicationCodec.EpochEndResponse;
import io.stratakv.storage.PartitionStore;
import io.stratakv.storage.log.EpochEntry;
import io.stratakv.zk.contract.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.Optional;

/**
 * The fetching side of one follower term (one epoch, one leader), on its own virtual thread:
 * first the truncation step (DESIGN.md §4.4), then fetches until the replica stops following
 * this epoch. Any failure redoes the truncation step before the next fetch, so a follower never
 * reports a position of a log that may not be a prefix of the leader's. When the leader answers
 * SNAPSHOT_NEEDED (to a fetch or to the truncation step) the replica turns CATCHING_UP and this
 * thread installs a snapshot ({@link SnapshotCatchUp}), retrying after a pause until it succeeds,
 * then fetches from the snapshot's offset as FOLLOWER again.
 */
final class FollowerLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(FollowerLoop.class);

    private final Replica replica;
    private final ReplicaContext ctx;
    private final long epoch;
    private final String leader;
    private volatile boolean stopped;
    private Thread thread;

    FollowerLoop(Replica replica, ReplicaContext ctx, long epoch, String leader) {
        this.replica = replica;
        this.ctx = ctx;
        this.epoch = epoch;
        this.leader = leader;
    }

    void start() {
        thread = Thread.ofVirtual().name("strata-follower-" + replica.where() + "-e" + epoch).start(this);
    }

    void stop() {
        stopped = true;
        synchronized (replica.progressMonitor()) {
            replica.progressMonitor().notifyAll();
        }
    }

    private boolean running() {
        return !stopped && replica.inFollowerTerm(epoch);
    }

    @Override
    public void run() {
        boolean truncated = false;
        long readToken = 0;
        URI leaderUri = null;
        while (running()) {
            PartitionStore store = replica.store(); // a snapshot install replaces it
            try {
                if (leaderUri == null) {
                    Optional<URI> u = ctx.internalAddress(leader);
                    if (u.isEmpty()) {
                        throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "leader " + leader + " is not registered");
                    }
                    leaderUri = u.get();
                }
                if (replica.view().state() == ReplicaState.CATCHING_UP) {
                    SnapshotCatchUp.run(replica, ctx, epoch, leaderUri);
                    truncated = true; // the log is empty from the snapshot offset on: nothing to compare
                    continue;
                }
                if (!truncated) {
                    truncateToLeader(leaderUri, store);
                    truncated = true;
                }
                long end = store.log().endOffset();
                FetchRequest req = new FetchRequest(ctx.nodeId(), epoch, end, store.replicationDurableEnd(),
                        store.commitEnd(), readToken, ctx.fetchMaxBytes(), ctx.fetchMaxWaitMs());
                FetchResponse resp = ctx.replicationClient().fetch(leaderUri, replica.keyspace(), replica.partitionId(), req);
                if (resp.leaderEpoch() != epoch) {
                    // Older: refused (invariant 1). Newer: the leader moved on; ZooKeeper will say.
                    if (resp.leaderEpoch() > epoch) {
                        replica.sawNewerEpoch(resp.leaderEpoch());
                    }
                    continue;
                }
                replica.applyFetched(epoch, resp);
                readToken = resp.readToken();
            } catch (RuntimeException e) {
                if (!running()) {
                    return;
                }
                if (e instanceof ReplicaException re && re.code() == ErrorCode.SNAPSHOT_NEEDED) {
                    LOG.info("replica {}: leader {} at epoch {} needs us to catch up from a snapshot: {}",
                            replica.where(), leader, epoch, re.getMessage());
                    replica.startCatchingUp(epoch);
                    continue;
                }
                truncated = false;
                leaderUri = null;
                if (e instanceof ReplicaException re && (re.code() == ErrorCode.STALE_EPOCH)) {
                    ctx.reread(replica.keyspace(), replica.partitionId());
                }
                LOG.debug("replica {}: fetch from {} at epoch {} failed: {}", replica.where(), leader, epoch, e.toString());
                pause(ctx.fetchRetryMs());
            }
        }
    }

    /**
     * KIP-101/279: ask the leader for the end of our last epoch, cut there (or at the start of our
     * first epoch the leader does not have), and repeat until our last epoch is one the leader has.
     */
    private void truncateToLeader(URI leaderUri, PartitionStore store) {
        while (running()) {
            long myLast = store.log().latestEpoch();
            if (myLast < 0 || store.log().endOffset() == store.log().startOffset()) {
                return;
            }
            EpochEndResponse r = ctx.replicationClient().epochEnd(leaderUri, replica.keyspace(), replica.partitionId(),
                    new EpochEndRequest(ctx.nodeId(), epoch, myLast));
            if (r.leaderEpoch() != epoch) {
                throw new ReplicaException(ErrorCode.STALE_EPOCH, "leader answered at epoch " + r.leaderEpoch());
            }
            long target = r.epoch() < 0 ? store.log().startOffset() : r.endOffset();
            for (EpochEntry e : store.log().epochs()) {
                if (e.epoch() > r.epoch()) {
                    target = Math.min(target, e.startOffset());
                    break;
                }
            }
            target = Math.min(target, store.log().endOffset());
            replica.truncateAsFollower(epoch, target);
            if (r.epoch() == myLast || r.epoch() < 0) {
                return;
            }
        }
    }

    private void pause(long ms) {
        synchronized (replica.progressMonitor()) {
            if (!running()) {
                return;
            }
            try {
                replica.progressMonitor().wait(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
    }
}
