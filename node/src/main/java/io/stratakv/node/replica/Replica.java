package io.stratakv.node.replica;

import io.stratakv.node.replication.FetchRequest;
import io.stratakv.node.replication.FetchResponse;
import io.stratakv.node.replication.ReplicationCodec.EpochEndResponse;
import io.stratakv.storage.ApplyOutcome;
import io.stratakv.storage.Mutation;
import io.stratakv.storage.PartitionStore;
import io.stratakv.storage.VersionedScan;
import io.stratakv.storage.VersionedValue;
import io.stratakv.storage.log.EpochEntry;
import io.stratakv.storage.log.LogRecord;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.contract.FenceResponse;
import io.stratakv.zk.contract.PartitionStatus;
import io.stratakv.zk.contract.ReplicaRole;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.WriteConsistency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;

/**
 * One partition replica on this node: the state machine of DESIGN.md §3–4 around a
 * {@link PartitionStore}.
 *
 * <h2>States and transitions</h2>
 * ({@link ReplicaState}; every change under {@code cutover} held exclusively)
 * <pre>
 *   OFFLINE  ──record: leader me at E, fenced at E here──────────────▶ LEADER(E)
 *   any      ──record: leader other at E ≥ epoch─────────────────────▶ FOLLOWER(E)
 *   FOLLOWER(E) ──leader answers SNAPSHOT_NEEDED (fetch below its log
 *                 start, or no common epoch)──────────────────────────▶ CATCHING_UP(E)
 *   CATCHING_UP(E) ──snapshot streamed, verified, swapped in──────────▶ FOLLOWER(E)
 *   CATCHING_UP(E) ──transfer or install failed────────────────────────▶ CATCHING_UP(E) (retried)
 *   any      ──fence at E' &gt; epoch, record without leader, newer epoch seen──▶ FENCED(E')
 *   LEADER(E) ──ZooKeeper SUSPENDED/LOST──▶ OFFLINE(E) ──record still names me at E──▶ LEADER(E)
 *   any      ──close, or store unusable after an install──────────────▶ OFFLINE (terminal)
 * </pre>
 * A follower term (one {@link FollowerLoop}) spans FOLLOWER(E) and CATCHING_UP(E); a record for the
 * same epoch and leader changes nothing in either. While CATCHING_UP the replica appends nothing,
 * reports RECOVERING in its status, and still serves EVENTUAL reads from its old store.
 *
 * <h2>What always holds</h2>
 * <ol>
 *   <li>{@code view.epoch} never decreases. Anything naming an older epoch (a fetch, a fetch
 *       answer, a fence, a partition record) is refused or ignored.</li>
 *   <li>One cut-over per epoch: the replica becomes LEADER or FOLLOWER of epoch E at most once
 *       (a leader cut off from ZooKeeper may resume the same term, without a second cut-over).</li>
 *   <li>A leader of epoch E was fenced at E by this process (an election fenced it), has set the
 *       store's epoch to E and appended E's epoch-start record before it accepts anything. A node
 *       that restarts therefore never resumes leading the epoch it led before the crash.</li>
 *   <li>The leader applies (commits) up to the highest end held durably by a majority of the
 *       voters, and only once that end passes its epoch-start record (Raft's rule).</li>
 *   <li>A follower of E appends nothing before it has truncated its log to the leader's end of
 *       its own last epoch (KIP-101/279; never just to its commit offset), and applies only what
 *       the leader reports committed.</li>
 *   <li>No append happens while a transition is in progress (appends hold the cut-over lock
 *       shared, transitions exclusive), so after a fence returns nothing older is appended.</li>
 *   <li>A snapshot replaces the store only in CATCHING_UP at the epoch it was fetched at, with the
 *       cut-over lock held exclusively, by two durable directory renames (SnapshotInstaller): a
 *       crash leaves the old store or the new one, whole. It holds only entries its leader had
 *       applied, so committed ones; the log then restarts empty at the snapshot offset + 1.</li>
 *   <li>The log prefix moves ({@link #truncateLogPrefix}) never past the tree's persisted offset;
 *       a leader moves it below what every member reported holding, or further only past its
 *       retention caps (LogRetention); a follower below the leader's log start.</li>
 *   <li>A leadership transfer pauses appends of its epoch until its deadline ({@link WritePause});
 *       the end offset it reports was captured with no append in flight.</li>
 * </ol>
 *
 * <h2>Threads</h2>
 * Transitions (fence, partition records, ZooKeeper state, close) run on the caller's thread under
 * {@code cutover} held exclusively. Client writes and the follower's appends and truncations hold
 * it shared. Fetch handlers, writers and readers wait on the {@code progress} monitor, which is
 * notified on every append, commit, read round and transition. Each follower term has its own
 * virtual thread ({@link FollowerLoop}), which also streams and stages snapshots outside the lock.
 * Log prefix truncation (the retention thread) holds {@code cutover} shared and
 * {@code logPrefixLock}; a leader's snapshot checkpoint holds {@code logPrefixLock}.
 */
public final class Replica implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);

    /** What the replica does now; replaced whole, by compare-and-set, under the cut-over lock. */
    public record View(ReplicaState state, long epoch, String leader) {
    }

    private final String keyspace;
    private final int partitionId;
    /** Replaced only by a snapshot install, under cutover held exclusively. */
    private volatile PartitionStore store;
    private final ReplicaContext ctx;
    private final PartitionMetrics metrics;
    private final AtomicReference<View> view = new AtomicReference<>(new View(ReplicaState.OFFLINE, 0, ""));
    private final ReentrantReadWriteLock cutover = new ReentrantReadWriteLock();
    private final Object progress = new Object();

    // Guarded by cutover (write lock); read without it by the data path.
    private volatile PartitionRecord assignment;
    private volatile LeaderTerm term;
    private volatile FollowerLoop follower;
    /** The highest epoch this process was fenced at (invariant 3). */
    private volatile long fencedHere;
    /**
     * The epoch at which ZooKeeper named this replica leader but it refused to lead (it was not
     * fenced at that epoch by this process: a restart, or a failed cut-over). Reported as STOPPED so
     * that the controller elects again instead of waiting for a leader that will never serve.
     */
    private volatile long refusedLeadAt;
    private volatile boolean closed;
    /** Set when the store could not be reopened after a snapshot install: the engine health check fails. */
    private volatile boolean broken;
    /** The leader's end as a follower last learned it, for the lag. */
    volatile long leaderEnd;
    /** The commit end the leader last reported to this follower (for EVENTUAL reads' staleness). */
    volatile long leaderCommitHeard;
    /** The leader's log start as a follower last learned it: its own prefix truncation stays below it. */
    volatile long leaderLogStartHeard;
    /** Held while the log prefix moves and while a snapshot's checkpoint and epoch are taken together. */
    final Object logPrefixLock = new Object();
    /** Writes paused by a leadership transfer (transferLeadership). */
    private final WritePause pause = new WritePause();
    /** The snapshot the store was installed from (null: none); replaced with the store. */
    volatile SnapshotInstaller.Base snapshotBase;
    /** Sees every step of a snapshot install; tests throw from it to cut an install short. */
    volatile java.util.function.Consumer<SnapshotInstaller.Step> installHook = step -> { };
    /** The epoch in which this replica, as leader, appended the split entry (0: none); see {@link PartitionSplitting}. */
    private volatile long splitAppendedInEpoch;
    /** Set by the manager once both children's stores are complete on this node; reported in status. */
    private volatile boolean splitDone;

    public Replica(String keyspace, int partitionId, PartitionStore store, PartitionRecord assignment, ReplicaContext ctx) {
        this(keyspace, partitionId, store, assignment, ctx, null);
    }

    /** @param metrics this replica's metrics (null: an unregistered set); removed when the replica closes */
    public Replica(String keyspace, int partitionId, PartitionStore store, PartitionRecord assignment, ReplicaContext ctx,
                   PartitionMetrics metrics) {
        this.metrics = metrics == null ? new PartitionMetrics(null, keyspace, partitionId) : metrics;
        this.keyspace = keyspace;
        this.partitionId = partitionId;
        this.store = store;
        this.assignment = assignment;
        this.ctx = ctx;
        long logEpoch = Math.max(0, store.log().latestEpoch());
        view.set(new View(ReplicaState.OFFLINE, logEpoch, ""));
        this.snapshotBase = readSnapshotBase(store);
        this.metrics.registerGauges(this);
    }

    public PartitionMetrics metrics() {
        return metrics;
    }

    public String keyspace() {
        return keyspace;
    }

    public int partitionId() {
        return partitionId;
    }

    public View view() {
        return view.get();
    }

    public PartitionRecord assignment() {
        return assignment;
    }

    PartitionStore store() {
        return store;
    }

    String where() {
        return keyspace + "/" + partitionId;
    }

    // ------------------------------------------------------------------------------------ transitions

    private boolean transition(View from, View to) {
        if (!view.compareAndSet(from, to)) {
            throw new IllegalStateException("replica " + where() + " view changed outside the cut-over lock");
        }
        if (from.state() != to.state()) {
            metrics.roleChanged();
        }
        if (from.state() != to.state() || from.epoch() != to.epoch()) {
            LOG.info("replica {}: {} at epoch {} -> {} at epoch {} (leader {})", where(), from.state(), from.epoch(),
                    to.state(), to.epoch(), to.leader().isEmpty() ? "none" : to.leader());
        }
        wakeAll();
        return true;
    }

    private void stopTerms() {
        term = null;
        FollowerLoop f = follower;
        follower = null;
        if (f != null) {
            f.stop();
        }
    }

    /** Controller's fence (DESIGN.md §4.3): refuse everything older than epoch from now on. */
    public FenceResponse fence(long epoch) {
        cutover.writeLock().lock();
        try {
            checkOpen();
            View v = view.get();
            if (epoch < v.epoch()) {
                throw new ReplicaException(ErrorCode.STALE_EPOCH, "replica " + where() + " is at epoch " + v.epoch()
                        + "; cannot fence at older epoch " + epoch, Map.of("epoch", Long.toString(v.epoch())));
            }
            fencedHere = Math.max(fencedHere, epoch);
            if (epoch > v.epoch()) {
                stopTerms();
                transition(v, new View(ReplicaState.FENCED, epoch, ""));
            }
            long lastEpoch = Math.max(0, store.log().latestEpoch());
            long end = store.log().endOffset();
            return new FenceResponse(ctx.nodeId(), keyspace, partitionId, epoch, lastEpoch, end,
                    Math.min(store.commitEnd(), end));
        } finally {
            cutover.writeLock().unlock();
        }
    }

    /** A partition record read from ZooKeeper (watch or fresh read); acts on its epoch only. */
    public void onRecord(PartitionRecord rec) {
        cutover.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            View v = view.get();
            long e = rec.leaderEpoch();
            if (e < v.epoch()) {
                return; // an older record than what we know: the cache may deliver out of order
            }
            assignment = rec;
            String me = ctx.nodeId();
            if (!rec.state().hasLeader() || rec.leader().isEmpty()) {
                if (v.state() != ReplicaState.FENCED || e > v.epoch()) {
                    stopTerms();
                    transition(v, new View(ReplicaState.FENCED, e, ""));
                }
                return;
            }
            String leader = rec.leader().get();
            boolean same = e == v.epoch() && leader.equals(v.leader());
            if (same && (v.state() == ReplicaState.LEADER || v.state() == ReplicaState.FOLLOWER
                    || v.state() == ReplicaState.CATCHING_UP)) {
                startSplitIfAsked(rec); // ONLINE → SPLITTING keeps the leader and the epoch
                // Already cut over to this epoch. The controller adds a learner without a new
                // epoch (ReplicaMover), so a leader takes the learner set from every record: else
                // it refuses the new learner's fetches and the move never completes.
                LeaderTerm t = term;
                if (v.state() == ReplicaState.LEADER && t != null && t.epoch == e
                        && !t.learners.equals(rec.learners())) {
                    LOG.info("replica {}: learners {} -> {} at epoch {}", where(), t.learners, rec.learners(), e);
                    t.setLearners(rec.learners());
                }
                return;
            }
            if (leader.equals(me)) {
                LeaderTerm t = term;
                if (v.state() == ReplicaState.OFFLINE && t != null && t.epoch == e) {
                    transition(v, new View(ReplicaState.LEADER, e, me)); // reconnected; the same term resumes
                    startSplitIfAsked(rec);
                } else if (fencedHere >= e && (e > v.epoch() || v.state() == ReplicaState.FENCED)) {
                    becomeLeader(v, rec);
                    startSplitIfAsked(rec);
                } else {
                    // Named leader at e without having been fenced at e by this process: it must not
                    // lead (its log may lack what the election counted on). STOPPED in its status
                    // makes the controller elect again.
                    if (refusedLeadAt != e) {
                        LOG.warn("replica {}: named leader at epoch {} without being fenced at it by this process "
                                + "(restarted?); reporting STOPPED so that the controller elects again", where(), e);
                    }
                    refusedLeadAt = e;
                    if (v.state() != ReplicaState.FENCED || e > v.epoch()) {
                        stopTerms();
                        transition(v, new View(ReplicaState.FENCED, e, ""));
                    }
                }
            } else {
                stopTerms();
                transition(v, new View(ReplicaState.FOLLOWER, e, leader));
                FollowerLoop f = new FollowerLoop(this, ctx, e, leader);
                follower = f;
                f.start();
            }
        } finally {
            cutover.writeLock().unlock();
        }
    }

    private void becomeLeader(View v, PartitionRecord rec) {
        stopTerms();
        long e = rec.leaderEpoch();
        try {
            store.setEpoch(e);
            long start = store.appendEpochStart();
            LeaderTerm t = new LeaderTerm(e, start, ctx.nodeId(), rec.replicas(), rec.learners());
            term = t;
            transition(v, new View(ReplicaState.LEADER, e, ctx.nodeId()));
            advanceCommit(t);
        } catch (RuntimeException ex) {
            LOG.error("replica {}: cannot open epoch {} as leader", where(), e, ex);
            term = null;
            transition(view.get(), new View(ReplicaState.OFFLINE, e, ""));
        }
    }

    /**
     * The leader of a SPLITTING partition stops taking writes and appends the split entry, once per
     * term (caller holds the cut-over lock exclusively, so no client append runs in between).
     */
    private void startSplitIfAsked(PartitionRecord rec) {
        View v = view.get();
        LeaderTerm t = term;
        if (v.state() != ReplicaState.LEADER || t == null || t.epoch != v.epoch()) {
            return;
        }
        if (!PartitionSplitting.asked(rec)) {
            return;
        }
        store.seal();
        if (store.appliedSplit() != null || splitAppendedInEpoch == t.epoch) {
            return;
        }
        try {
            long offset = store.appendSplit(PartitionSplitting.entryOf(rec));
            splitAppendedInEpoch = t.epoch;
            LOG.info("replica {}: appended the split entry at offset {} in epoch {} (children {})", where(), offset,
                    t.epoch, PartitionSplitting.children(rec));
        } catch (RuntimeException e) {
            LOG.error("replica {}: cannot append the split entry in epoch {}; the next record retries", where(),
                    t.epoch, e);
            return;
        }
        wakeAll();
        advanceCommit(t);
    }

    /** The manager built both children's stores from this replica's split state. */
    void markSplitDone() {
        splitDone = true;
    }

    /** PARTITION_SPLIT for a partition the controller retired, naming its children. */
    private void refuseIfRetired() {
        PartitionRecord rec = assignment;
        if (rec.state() == io.stratakv.zk.records.PartitionState.RETIRED) {
            throw PartitionSplitting.splitError(rec, where());
        }
    }

    /** ZooKeeper SUSPENDED or LOST: stop leading at once (DESIGN.md §4.2). Followers keep fetching. */
    public void suspendLeadership() {
        cutover.writeLock().lock();
        try {
            View v = view.get();
            if (v.state() == ReplicaState.LEADER) {
                transition(v, new View(ReplicaState.OFFLINE, v.epoch(), ""));
            }
        } finally {
            cutover.writeLock().unlock();
        }
    }

    /** Somebody is at a newer epoch (seen in a fetch): step down, then reread ZooKeeper. */
    void sawNewerEpoch(long epoch) {
        cutover.writeLock().lock();
        try {
            View v = view.get();
            if (!closed && epoch > v.epoch()) {
                stopTerms();
                transition(v, new View(ReplicaState.FENCED, epoch, ""));
            }
        } finally {
            cutover.writeLock().unlock();
        }
        ctx.reread(keyspace, partitionId);
    }

    @Override
    public void close() {
        cutover.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            stopTerms();
            View v = view.get();
            transition(v, new View(ReplicaState.OFFLINE, v.epoch(), ""));
            try {
                store.close();
            } finally {
                metrics.close();
            }
        } finally {
            cutover.writeLock().unlock();
        }
    }

    private SnapshotInstaller.Base readSnapshotBase(PartitionStore s) {
        try {
            return SnapshotInstaller.readBase(s.dir());
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("replica {}: cannot read its snapshot marker: {}", where(), e.toString());
            return null;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "replica " + where() + " is closed");
        }
    }

    // ------------------------------------------------------------------------------------ leader

    /** The current term if this replica leads epoch (0: any), else NOT_LEADER / STALE_EPOCH. */
    LeaderTerm leading(long epoch) {
        View v = view.get();
        LeaderTerm t = term;
        if (epoch > 0 && epoch < v.epoch()) {
            throw new ReplicaException(ErrorCode.STALE_EPOCH, "epoch " + epoch + " is older than " + v.epoch()
                    + " at replica " + where(), Map.of("epoch", Long.toString(v.epoch())));
        }
        if (v.state() != ReplicaState.LEADER || t == null || t.epoch != v.epoch() || (epoch > 0 && epoch != t.epoch)) {
            throw notLeader();
        }
        return t;
    }

    /** NOT_LEADER naming the leader and epoch from the newest partition record. */
    public ReplicaException notLeader() {
        PartitionRecord rec = assignment;
        if (rec.state() == io.stratakv.zk.records.PartitionState.RETIRED) {
            return PartitionSplitting.splitError(rec, where());
        }
        if (rec.leader().isEmpty() || rec.leader().get().equals(ctx.nodeId())) {
            // No leader, or ZooKeeper still names this node but it does not lead (suspended, fenced, restarted).
            return new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "partition " + where()
                    + " has no serving leader now (" + rec.state() + " at epoch " + rec.leaderEpoch() + ")");
        }
        return new ReplicaException(ErrorCode.NOT_LEADER, "node " + ctx.nodeId() + " does not lead partition "
                + where() + " now", Map.of("leader", rec.leader().get(), "leaderEpoch", Long.toString(rec.leaderEpoch())));
    }

    /**
     * A write's position (its offset and the epoch it was written in) and, once committed, what
     * applying it did (null for ONE: not applied yet when it is acknowledged).
     */
    public record WriteResult(long offset, long epoch, ApplyOutcome outcome) {
    }

    /**
     * Leader write at the given consistency, waiting until deadlineNanos (System.nanoTime) for
     * QUORUM and ALL. A timeout or a lost leadership while waiting is TIMEOUT_UNKNOWN_OUTCOME (the
     * entry is in the log and may still commit), except an ALL write that committed but missed a
     * replica: REPLICATION_INCOMPLETE with committed=true.
     *
     * @param epoch the epoch the client believes current, or 0
     */
    public WriteResult write(Mutation m, WriteConsistency consistency, long epoch, long deadlineNanos) {
        return writeAll(List.of(m), consistency, epoch, deadlineNanos).getFirst();
    }

    /**
     * Appends the mutations in order (each its own log entry; not atomic as a group), then waits as
     * {@link #write} does for the last one, which covers them all. Outcomes per mutation.
     */
    public List<WriteResult> writeAll(List<Mutation> ms, WriteConsistency consistency, long epoch, long deadlineNanos) {
        long[] offsets = new long[ms.size()];
        LeaderTerm appendedIn;
        while (true) {
            cutover.readLock().lock();
            try {
                appendedIn = leading(epoch);
                if (!pause.blocks(appendedIn.epoch)) {
                    for (int i = 0; i < offsets.length; i++) {
                        offsets[i] = store.append(ms.get(i));
                    }
                    break;
                }
            } finally {
                cutover.readLock().unlock();
            }
            awaitPauseLifted(appendedIn, deadlineNanos);
        }
        LeaderTerm t = appendedIn;
        long offset = offsets[offsets.length - 1];
        wakeAll();
        advanceCommit(t);
        List<WriteResult> results = new java.util.ArrayList<>(offsets.length);
        if (consistency == WriteConsistency.ONE) {
            for (long o : offsets) {
                results.add(new WriteResult(o, t.epoch, null));
            }
            return results;
        }
        boolean all = consistency == WriteConsistency.ALL;
        boolean done = await(t, deadlineNanos, () -> store.commitEnd() > offset
                && (!all || t.allHold(offset + 1, store.replicationDurableEnd())));
        if (done) {
            for (int i = 0; i < offsets.length; i++) {
                results.add(new WriteResult(offsets[i], t.epoch, outcomeOf(ms.get(i), offsets[i])));
            }
            return results;
        }
        boolean committed = store.commitEnd() > offset;
        if (all && committed) {
            throw new ReplicaException(ErrorCode.REPLICATION_INCOMPLETE, "the write at offset " + offset
                    + " committed but did not reach every replica before the deadline",
                    Map.of("committed", "true", "offset", Long.toString(offset)));
        }
        throw new ReplicaException(ErrorCode.TIMEOUT_UNKNOWN_OUTCOME, "the write at offset " + offset + " of "
                + where() + " was not committed before the deadline or leadership ended; it may still commit",
                Map.of("committed", "unknown", "offset", Long.toString(offset)));
    }

    /** The applied outcome of a committed entry this leader appended (PartitionStore keeps the recent ones). */
    private ApplyOutcome outcomeOf(Mutation m, long offset) {
        ApplyOutcome o = store.outcome(offset);
        if (o != null && o.status() == ApplyOutcome.Status.SPLIT) {
            throw PartitionSplitting.splitError(assignment, where());
        }
        if (o != null) {
            return o;
        }
        if (!m.conditional() && m.requestId().length == 0) {
            // Unconditional and no id: it cannot have failed or been a duplicate.
            return new ApplyOutcome(ApplyOutcome.Status.APPLIED, offset,
                    m.kind() == Mutation.Kind.PUT ? offset : 0, false);
        }
        throw new ReplicaException(ErrorCode.TIMEOUT_UNKNOWN_OUTCOME, "the write at offset " + offset
                + " committed but its outcome is no longer remembered; read the key to learn it",
                Map.of("committed", "true", "offset", Long.toString(offset)));
    }

    /**
     * Linearizable read (ReadIndex): captures the commit end at arrival, confirms that a majority
     * still fetches at this epoch after that (a read round that wakes every parked fetch), waits
     * until applied reaches the captured end, and reads.
     */
    public VersionedValue strongRead(byte[] key, long epoch, long deadlineNanos) {
        confirmLeadership(epoch, deadlineNanos);
        return store.getVersioned(key);
    }

    /**
     * The ReadIndex step alone: returns once this replica has confirmed, after the call began, that
     * a majority follows its epoch and it has applied everything committed before the call.
     */
    public void confirmLeadership(long epoch, long deadlineNanos) {
        LeaderTerm t = leading(epoch);
        long readIndex = Math.max(store.commitEnd(), t.epochStartOffset + 1);
        long token = t.readToken.incrementAndGet();
        wakeAll();
        boolean ok = await(t, deadlineNanos, () -> t.confirmed(token) && store.commitEnd() >= readIndex);
        if (!ok) {
            throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "replica " + where()
                    + " could not confirm its leadership with a majority before the deadline");
        }
        leading(t.epoch); // still the leader of the same term after the confirmation
    }

    /** Any replica, possibly stale. */
    public VersionedValue eventualRead(byte[] key) {
        checkOpen();
        refuseIfRetired();
        return store.getVersioned(key);
    }

    /**
     * Read-your-writes (DESIGN.md §3, SESSION): answered here once this replica has applied the
     * entry at position (it waits up to waitNanos for that; a follower is usually a fetch round
     * behind). A replica still behind then answers NOT_LEADER naming the leader, where the client
     * retries; the leader itself waits until the deadline.
     */
    public VersionedValue sessionRead(byte[] key, long position, long waitNanos, long deadlineNanos) {
        checkOpen();
        refuseIfRetired();
        awaitApplied(position, view.get().state() == ReplicaState.LEADER ? deadlineNanos
                : Math.min(deadlineNanos, System.nanoTime() + waitNanos));
        return store.getVersioned(key);
    }

    /** Waits until the entry at position is applied here, else NOT_LEADER (follower) or PARTITION_UNAVAILABLE. */
    public void awaitApplied(long position, long untilNanos) {
        synchronized (progress) {
            while (store.commitEnd() <= position) {
                long left = untilNanos - System.nanoTime();
                if (left <= 0 || closed) {
                    if (view.get().state() == ReplicaState.LEADER) {
                        throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "leader of " + where()
                                + " has not committed position " + position + " before the deadline",
                                Map.of("applied", Long.toString(store.commitEnd())));
                    }
                    ReplicaException nl = notLeader();
                    throw new ReplicaException(nl.body().code(), "replica " + where() + " has applied up to "
                            + store.commitEnd() + ", not yet position " + position + "; " + nl.getMessage(),
                            withApplied(nl.body().details()));
                }
                try {
                    progress.wait(Math.max(1, Math.min(left / 1_000_000, 10)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "interrupted");
                }
            }
        }
    }

    private Map<String, String> withApplied(Map<String, String> details) {
        Map<String, String> m = new java.util.LinkedHashMap<>(details == null ? Map.of() : details);
        m.put("applied", Long.toString(store.commitEnd()));
        return m;
    }

    /** Applied end here (offsets below it are applied) and the newest commit end this replica heard of. */
    public record Staleness(long applied, long commitHeard) {
    }

    public Staleness staleness() {
        long applied = store.commitEnd();
        boolean leader = view.get().state() == ReplicaState.LEADER;
        return new Staleness(applied, leader ? applied : Math.max(applied, leaderCommitHeard));
    }

    /** A scan of user keys in [from, to) on this replica's applied state (after confirmLeadership for STRONG). */
    public VersionedScan scan(byte[] from, byte[] to) {
        checkOpen();
        refuseIfRetired();
        return store.scan(from, to);
    }

    /** Waits on progress until cond holds (true), the term ends or the deadline passes (false). */
    boolean await(LeaderTerm t, long deadlineNanos, BooleanSupplier cond) {
        synchronized (progress) {
            while (true) {
                if (cond.getAsBoolean()) {
                    return true;
                }
                if (term != t || view.get().state() != ReplicaState.LEADER) {
                    return false;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Bounded slices: under fsync INTERVAL the leader's own durable end moves without a notify.
                long ms = Math.max(1, Math.min(left / 1_000_000, 10));
                try {
                    progress.wait(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                advanceCommit(t);
            }
        }
    }

    private void advanceCommit(LeaderTerm t) {
        if (term != t) {
            return;
        }
        long candidate = Math.min(t.majorityDurableEnd(store.replicationDurableEnd()), store.log().endOffset());
        if (candidate > t.epochStartOffset && candidate > store.commitEnd()) {
            store.commitTo(candidate);
            wakeAll();
        }
    }

    private void wakeAll() {
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    /** Leader side of a follower's fetch (DESIGN.md §3): records its progress, long-polls, answers. */
    public FetchResponse fetch(FetchRequest r) {
        View v = view.get();
        if (r.epoch() < v.epoch()) {
            throw new ReplicaException(ErrorCode.STALE_EPOCH, "fetch at epoch " + r.epoch() + " but replica "
                    + where() + " is at " + v.epoch(), Map.of("epoch", Long.toString(v.epoch())));
        }
        if (r.epoch() > v.epoch()) {
            sawNewerEpoch(r.epoch());
            throw new ReplicaException(ErrorCode.FENCED, "replica " + where() + " learned of epoch " + r.epoch()
                    + " from " + r.replicaId() + " and stepped down");
        }
        LeaderTerm t = leading(r.epoch());
        if (!t.isMember(r.replicaId())) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "node " + r.replicaId()
                    + " is not a replica of " + where() + " at epoch " + t.epoch);
        }
        long end = store.log().endOffset();
        if (r.fromOffset() < store.log().startOffset()) {
            throw snapshotNeeded("fetch from offset " + r.fromOffset() + " is below the leader's log start "
                    + store.log().startOffset());
        }
        if (r.fromOffset() > end) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "fetch from offset " + r.fromOffset()
                    + " outside the leader's log [" + store.log().startOffset() + ", " + end + "]",
                    Map.of("logStart", Long.toString(store.log().startOffset()), "logEnd", Long.toString(end)));
        }
        t.recordFetch(r.replicaId(), Math.min(r.durableEnd(), r.fromOffset()), r.readToken());
        advanceCommit(t);
        wakeAll(); // readers waiting for this confirmation, writers waiting for this durable end
        long deadline = System.nanoTime() + Math.min(Math.max(0, r.maxWaitMs()), ctx.fetchMaxWaitMs()) * 1_000_000L;
        synchronized (progress) {
            while (store.log().endOffset() <= r.fromOffset() && store.commitEnd() <= r.knownCommit()
                    && t.readToken.get() <= r.readToken() && term == t) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    progress.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        leading(t.epoch);
        List<LogRecord> records;
        try {
            records = r.fromOffset() < store.log().endOffset()
                    ? store.log().read(r.fromOffset(), Math.max(1, Math.min(r.maxBytes(), ctx.fetchMaxBytes())))
                    : List.of();
        } catch (io.stratakv.storage.StorageException e) {
            if (e.code() == io.stratakv.storage.StorageErrorCode.OFFSET_OUT_OF_RANGE
                    && r.fromOffset() < store.log().startOffset()) {
                throw snapshotNeeded("the leader's log start moved past offset " + r.fromOffset() + " while it waited");
            }
            throw e;
        }
        metrics.served(records);
        return new FetchResponse(t.epoch, store.commitEnd(), store.log().endOffset(), store.log().startOffset(),
                t.readToken.get(), records);
    }

    /** Leader side of a follower's truncation step: the end of the largest epoch ≤ requested in this log. */
    public EpochEndResponse epochEnd(String replicaId, long epoch, long requestedEpoch) {
        View v = view.get();
        if (epoch > v.epoch()) {
            sawNewerEpoch(epoch);
        }
        LeaderTerm t = leading(epoch);
        EpochEntry e = store.log().endOffsetForEpoch(requestedEpoch);
        SnapshotInstaller.Base b = snapshotBase;
        if (e.epoch() < 0 && b != null && b.offset() + 1 == store.log().startOffset() && b.epoch() <= requestedEpoch) {
            // This log continues a snapshot whose last entry was of epoch b.epoch(): that epoch ends where
            // the log's first epoch starts.
            List<EpochEntry> known = store.log().epochs();
            e = new EpochEntry(b.epoch(), known.isEmpty() ? store.log().endOffset() : known.getFirst().startOffset());
        }
        if (e.epoch() < 0 && store.log().startOffset() > 0) {
            // Every epoch up to the follower's last one is gone from this log's front: no common origin to name.
            throw snapshotNeeded("the leader's log (from " + store.log().startOffset() + ") no longer holds epoch "
                    + requestedEpoch + " or any older one");
        }
        return new EpochEndResponse(t.epoch, e.epoch(), e.startOffset());
    }

    private ReplicaException snapshotNeeded(String why) {
        return new ReplicaException(ErrorCode.SNAPSHOT_NEEDED, why + "; install a snapshot of " + where(),
                Map.of("logStart", Long.toString(store.log().startOffset())));
    }

    // ------------------------------------------------------------------------------------ follower

    /** Truncates to the leader's end of the local last epoch, as FollowerLoop computed; refused after a cut-over. */
    void truncateAsFollower(long epoch, long newEnd) {
        cutover.readLock().lock();
        try {
            requireFollowing(epoch);
            if (newEnd < store.log().endOffset()) {
                LOG.info("replica {}: truncating divergent suffix [{}, {}) at epoch {}", where(), newEnd,
                        store.log().endOffset(), epoch);
                store.truncateUncommitted(newEnd);
            }
        } finally {
            cutover.readLock().unlock();
        }
    }

    /** Appends a fetch answer and applies what the leader reports committed. */
    void applyFetched(long epoch, FetchResponse resp) {
        cutover.readLock().lock();
        try {
            requireFollowing(epoch);
            List<LogRecord> records = resp.records();
            if (!records.isEmpty() && records.getFirst().offset() == store.log().endOffset()) {
                store.appendReplicated(records);
                metrics.fetched(records);
            } else if (!records.isEmpty()) {
                throw new IllegalStateException("fetched records start at " + records.getFirst().offset()
                        + " but the log ends at " + store.log().endOffset());
            }
            long commit = Math.min(resp.commitEnd(), store.log().endOffset());
            if (commit > store.commitEnd()) {
                store.commitTo(commit);
            }
            leaderEnd = resp.leaderEnd();
            leaderCommitHeard = Math.max(leaderCommitHeard, resp.commitEnd());
            leaderLogStartHeard = resp.logStart();
        } finally {
            cutover.readLock().unlock();
        }
        wakeAll();
    }

    private void requireFollowing(long epoch) {
        View v = view.get();
        if (closed || v.state() != ReplicaState.FOLLOWER || v.epoch() != epoch) {
            throw new ReplicaException(ErrorCode.FENCED, "replica " + where() + " no longer follows epoch " + epoch);
        }
    }

    boolean isFollowing(long epoch) {
        View v = view.get();
        return !closed && v.state() == ReplicaState.FOLLOWER && v.epoch() == epoch;
    }

    /** Whether the follower term of epoch still runs: FOLLOWER, or CATCHING_UP from a snapshot, at epoch. */
    boolean inFollowerTerm(long epoch) {
        View v = view.get();
        return !closed && v.epoch() == epoch
                && (v.state() == ReplicaState.FOLLOWER || v.state() == ReplicaState.CATCHING_UP);
    }

    LeaderTerm currentTerm() {
        return term;
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------------------------ snapshots

    /** FOLLOWER(E) → CATCHING_UP(E): the leader answered SNAPSHOT_NEEDED. Nothing is appended until installed. */
    void startCatchingUp(long epoch) {
        cutover.writeLock().lock();
        try {
            View v = view.get();
            if (!closed && v.state() == ReplicaState.FOLLOWER && v.epoch() == epoch) {
                transition(v, new View(ReplicaState.CATCHING_UP, epoch, v.leader()));
            }
        } finally {
            cutover.writeLock().unlock();
        }
    }

    /**
     * CATCHING_UP(E) → FOLLOWER(E): closes the store, swaps the completely staged snapshot in for
     * its directory (SnapshotInstaller), reopens it (its log empty from the snapshot offset + 1) and
     * resumes following. Refused (FENCED) if the replica left CATCHING_UP at epoch meanwhile.
     */
    void installSnapshot(long epoch, io.stratakv.node.replication.SnapshotStream.Header h) {
        cutover.writeLock().lock();
        try {
            View v = view.get();
            if (closed || v.state() != ReplicaState.CATCHING_UP || v.epoch() != epoch) {
                throw new ReplicaException(ErrorCode.FENCED, "replica " + where() + " no longer catches up at epoch "
                        + epoch + " (" + v.state() + " at " + v.epoch() + "); the snapshot is dropped");
            }
            java.nio.file.Path dir = store.dir();
            long oldStart = store.log().startOffset();
            long oldEnd = store.log().endOffset();
            try {
                store.close();
            } catch (RuntimeException e) {
                LOG.warn("replica {}: closing the store before a snapshot install: {}", where(), e.toString());
            }
            RuntimeException failed = null;
            try {
                SnapshotInstaller.install(dir, installHook);
            } catch (java.io.IOException | RuntimeException e) {
                failed = new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "installing the snapshot of " + where()
                        + " failed: " + e);
            }
            try {
                SnapshotInstaller.recover(dir); // after a failure: the old store or the new one, whole
                store = ctx.openStore(keyspace, partitionId, dir);
                snapshotBase = readSnapshotBase(store);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.error("replica {}: cannot reopen its store after a snapshot install; it stops", where(), e);
                broken = true;
                closed = true;
                stopTerms();
                transition(v, new View(ReplicaState.OFFLINE, v.epoch(), ""));
                throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "replica " + where()
                        + " cannot reopen its store: " + e);
            }
            if (failed != null) {
                throw failed;
            }
            LOG.info("replica {}: installed a snapshot at offset {} (epoch {}) from leader {} at epoch {}; "
                    + "log was [{}, {}), now starts at {}", where(), h.snapshotOffset(), h.snapshotEpoch(), v.leader(),
                    epoch, oldStart, oldEnd, store.log().startOffset());
            metrics.snapshotInstalled();
            transition(v, new View(ReplicaState.FOLLOWER, epoch, v.leader()));
        } finally {
            cutover.writeLock().unlock();
        }
    }

    /**
     * Moves the log start up to upTo, but never past the tree's persisted offset: records not yet in
     * tables are what a restart replays, and the record at the persisted offset stays so that a
     * snapshot taken there can name its epoch. Returns the log start after the call.
     */
    long truncateLogPrefix(long upTo) {
        cutover.readLock().lock();
        try {
            if (closed) {
                return -1;
            }
            synchronized (logPrefixLock) {
                PartitionStore s = store;
                long target = Math.min(upTo, s.tree().persistedLogOffset());
                if (target <= s.log().startOffset()) {
                    return s.log().startOffset();
                }
                return s.truncateLog(target);
            }
        } finally {
            cutover.readLock().unlock();
        }
    }

    // ------------------------------------------------------------------------------------ leadership transfer

    /**
     * The controller's transfer preparation (TransferLeadershipRequest): pauses new writes at this
     * epoch until the request's timeout, captures the log end once no append is in flight, and waits
     * up to the timeout for target's fetches to show it holds everything below that end durably.
     * The pause is lifted by the timeout (or ends with the term: a new epoch fences this leader).
     */
    public io.stratakv.zk.contract.TransferLeadershipResponse transferLeadership(
            io.stratakv.zk.contract.TransferLeadershipRequest req) {
        long deadline = System.nanoTime() + req.timeoutMillis() * 1_000_000L;
        LeaderTerm t;
        long end;
        cutover.writeLock().lock();
        try {
            t = leading(req.epoch()); // an older epoch: STALE_EPOCH; another: NOT_LEADER
            if (!t.voters.contains(req.targetNodeId())) {
                throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "node " + req.targetNodeId()
                        + " is not a voter of " + where() + " at epoch " + t.epoch);
            }
            pause.pause(t.epoch, deadline);
            end = store.log().endOffset();
        } finally {
            cutover.writeLock().unlock();
        }
        LOG.info("replica {}: writes paused for up to {} ms to hand leadership to {} (log end {})", where(),
                req.timeoutMillis(), req.targetNodeId(), end);
        wakeAll(); // parked fetches answer at once, so the target's next fetch shows its position
        boolean caughtUp = req.targetNodeId().equals(ctx.nodeId())
                || await(t, deadline, () -> t.durableEndOf(req.targetNodeId()) >= end);
        if (!caughtUp) {
            LOG.info("replica {}: transfer target {} did not reach {} (at {}) in time", where(), req.targetNodeId(),
                    end, t.durableEndOf(req.targetNodeId()));
        }
        return new io.stratakv.zk.contract.TransferLeadershipResponse(ctx.nodeId(), keyspace, partitionId, t.epoch,
                end, caughtUp);
    }

    /** Whether writes at this replica are paused for a leadership transfer now. */
    public boolean writesPaused() {
        LeaderTerm t = term;
        return t != null && pause.blocks(t.epoch);
    }

    private void awaitPauseLifted(LeaderTerm t, long deadlineNanos) {
        synchronized (progress) {
            while (pause.blocks(t.epoch) && term == t) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "writes to " + where()
                            + " are paused for a leadership transfer; nothing was written, retry");
                }
                try {
                    progress.wait(Math.max(1, Math.min(left / 1_000_000, 10)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "interrupted");
                }
            }
        }
    }

    Object progressMonitor() {
        return progress;
    }

    // ------------------------------------------------------------------------------------ status

    public PartitionStatus status() {
        View v = view.get();
        PartitionRecord rec = assignment;
        ReplicaRole role = switch (v.state()) {
            case LEADER -> ReplicaRole.LEADER;
            case FOLLOWER -> rec.learners().contains(ctx.nodeId()) ? ReplicaRole.LEARNER : ReplicaRole.FOLLOWER;
            case FENCED -> refusedLeadAt == v.epoch() ? ReplicaRole.STOPPED : ReplicaRole.FENCED;
            case CATCHING_UP -> ReplicaRole.RECOVERING;
            case OFFLINE -> ReplicaRole.STOPPED;
        };
        if (closed) {
            return new PartitionStatus(keyspace, partitionId, ReplicaRole.STOPPED, v.epoch(), 0, 0, 0, 0, 0, 0);
        }
        long start = store.log().startOffset();
        long end = store.log().endOffset();
        long commit = Math.min(store.commitEnd(), end);
        long lag = v.state() == ReplicaState.LEADER ? 0 : Math.max(0, leaderEnd - end);
        long size = store.log().sizeInBytes() + store.tree().liveTableBytes();
        PartitionStore.AppliedSplit split = store.appliedSplit();
        java.util.OptionalLong splitAt = splitDone && split != null ? java.util.OptionalLong.of(split.offset())
                : java.util.OptionalLong.empty();
        return new PartitionStatus(keyspace, partitionId, role, v.epoch(), start, end, commit, commit, lag, size, splitAt);
    }

    // ------------------------------------------------------------------------------------ operator tasks

    /** Flushes the memtables to SSTables and waits (admin task flush-partition). */
    public void flush() {
        checkOpen();
        store.flush();
    }

    /** Compacts the whole tree and waits (admin task compact-partition). */
    public void compactAll() {
        checkOpen();
        store.compactAll();
    }

    /** A checkpoint of the tree at its applied offset into target, which must not exist yet. */
    public io.stratakv.storage.lsm.CheckpointInfo checkpoint(java.nio.file.Path target) {
        checkOpen();
        return store.checkpoint(target);
    }

    /** Whether the engine under this replica can still write (for the health check). */
    public boolean engineHealthy() {
        return !broken && (closed || !store.log().failed());
    }

    /** For tests and diagnostics: the store's commit end (= applied offset). */
    public long commitEnd() {
        return store.commitEnd();
    }

    public long logEnd() {
        return store.log().endOffset();
    }

    /** The first offset still in the log (diagnostics, tests). */
    public long logStart() {
        return store.log().startOffset();
    }

    /** The highest log offset the tree's tables hold (a restart replays the log after it). */
    public long persistedOffset() {
        return store.tree().persistedLogOffset();
    }

    /**
     * Entries this replica is behind: on the leader its log end minus its commit end (appended,
     * not yet held by a majority); elsewhere the newest commit end heard from the leader minus
     * what is applied here. 0 once closed.
     */
    public long commitLag() {
        if (closed) {
            return 0;
        }
        long applied = store.commitEnd();
        if (view.get().state() == ReplicaState.LEADER) {
            return Math.max(0, store.log().endOffset() - applied);
        }
        return Math.max(0, leaderCommitHeard - applied);
    }
}
