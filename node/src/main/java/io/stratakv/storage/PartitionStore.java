package io.stratakv.storage;

import com.codahale.metrics.MetricRegistry;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.log.FsyncPolicy;
import io.stratakv.storage.log.LogConfig;
import io.stratakv.storage.log.LogRecord;
import io.stratakv.storage.log.PartitionLog;
import io.stratakv.storage.lsm.CheckpointInfo;
import io.stratakv.storage.lsm.LsmTree;
import io.stratakv.storage.lsm.Snapshot;
import io.stratakv.storage.lsm.WriteBatch;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One partition's storage: its event log (the write-ahead log) materialised into an LSM tree.
 *
 * <p>Invariants: every change enters the log first and the tree second, in log-offset order, with
 * no gaps, and only once it is committed ({@link #commitTo}): so the tree never shows a write that
 * a failover could take back, and a divergent log suffix can always be cut. The tree's persisted
 * log offset P means offsets ≤ P are in its tables, so opening resumes applying at P + 1. Under
 * fsync policy ALWAYS a single-replica write is committed only once durable, and concurrent writers
 * share fsyncs (group commit in the log). The log is truncated from the front only up to P + 1.
 *
 * <p>Versions and conditions (ENGINE.md): every user value is stored in the tree with its version,
 * the offset of the write that set it. A conditional mutation and a request id already applied are
 * decided at apply time, against the tree as it is then, from the entry's bytes and its offset
 * only, so every replica (and every replay after a reopen) decides the same. A failed condition or
 * a duplicate changes no user key. User keys never start with the reserved prefix: that space is for
 * the engine's own tables ({@link ReservedKeys}, {@link RequestIdTable}).
 *
 * <p>Threads: any number of writers and readers. Appends are ordered by the log; commitTo applies
 * under one lock, taking each mutation from the appender's parked copy or, if it has none (a
 * follower's records, or an appender that has not parked yet), from the log itself.
 */
public final class PartitionStore implements Closeable {

    private final Path dir;
    private final StoreOptions options;
    private final PartitionLog log;
    private final LsmTree tree;
    private final ConcurrentSkipListMap<Long, Mutation> pending = new ConcurrentSkipListMap<>();
    private final Object applyLock = new Object();
    /** Next log offset to apply to the tree; guarded by applyLock. */
    private long nextToApply;
    /** Offsets below it are committed; guarded by applyLock. Equal to nextToApply outside commitTo. */
    private long commitEnd;
    private volatile long epoch;
    private final AtomicLong userBytes = new AtomicLong();
    /** Set when applying a logged mutation to the tree failed; guarded by applyLock. */
    private StorageException applyFailure;
    /** Guarded by applyLock; null until open finished aligning the tree. */
    private RequestIdTable requestIds;
    /**
     * Outcomes of the last OUTCOME_SLOTS applied entries, by offset modulo the size, for the writer
     * that waits for its entry to commit ({@link #outcome}).
     */
    private final AtomicReferenceArray<Applied> recentOutcomes = new AtomicReferenceArray<>(OUTCOME_SLOTS);
    /** Enough that a writer woken by its commit finds its outcome even when thousands commit at once. */
    static final int OUTCOME_SLOTS = 1 << 14;
    /** The split marker (ENGINE.md, "Split entry"): reserved table 's', one key. */
    static final byte[] SPLIT_MARKER = ReservedKeys.key((byte) 's', new byte[0]);
    /** The split this store applied, or null; set once, under applyLock (or at open). */
    private volatile AppliedSplit split;
    /** Set by the leader when it appends a split entry (or leads a SPLITTING partition): appends are refused. */
    private volatile boolean sealed;
    private volatile Runnable splitListener = () -> { };

    private PartitionStore(Path dir, StoreOptions options, PartitionLog log, LsmTree tree) {
        this.dir = dir;
        this.options = options;
        this.log = log;
        this.tree = tree;
    }

    /** Opens (creating if absent) the store in dir: log under dir/log, LSM tree under dir/lsm. */
    public static PartitionStore open(StorageFs fs, Path dir, StoreOptions options, MetricRegistry metrics) {
        return open(fs, dir, options, metrics, null, true);
    }

    /**
     * @param commitWholeLog true for a store that is its own single replica: every record in the log
     *                       is committed, so opening applies them all. A replica of a replicated
     *                       partition passes false and applies only what the leader reports
     *                       committed ({@link #commitTo}), since its log tail may be cut after a
     *                       failover.
     */
    public static PartitionStore open(StorageFs fs, Path dir, StoreOptions options, MetricRegistry metrics,
                                      String metricPrefix, boolean commitWholeLog) {
        return open(fs, dir, options, metrics, metricPrefix, commitWholeLog, null);
    }

    /** As above, with a block cache shared by every partition of a node (null: one of its own). */
    public static PartitionStore open(StorageFs fs, Path dir, StoreOptions options, MetricRegistry metrics,
                                      String metricPrefix, boolean commitWholeLog,
                                      io.stratakv.storage.sstable.BlockCache sharedCache) {
        LogConfig logConfig = new LogConfig(options.logSegmentBytes(),
                options.maxKeyBytes() + options.maxValueBytes() + 1024, options.fsyncPolicy(), options.fsyncInterval());
        PartitionLog log = PartitionLog.open(fs, dir.resolve("log"), logConfig, metrics, metricPrefix);
        LsmTree tree;
        try {
            tree = LsmTree.open(fs, dir.resolve("lsm"), options, metrics, metricPrefix, sharedCache);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        PartitionStore store = new PartitionStore(dir, options, log, tree);
        tree.setFlushBarrier(log::awaitDurable);
        try {
            store.checkAlignment();
            if (commitWholeLog) {
                store.commitTo(log.endOffset());
            }
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        store.epoch = Math.max(0, log.latestEpoch());
        return store;
    }

    /** Checks that the tree and the log line up, and positions the applier after the tree's tables. */
    private void checkAlignment() {
        long from = tree.persistedLogOffset() + 1;
        if (from < log.startOffset()) {
            throw new CorruptionException(dir.toString(), from, "the log starts at " + log.startOffset()
                    + " but the tree needs records from " + from);
        }
        long end = log.endOffset();
        if (from > end) {
            throw new CorruptionException(dir.toString(), end, "the tree holds writes up to offset " + (from - 1)
                    + " but the log ends at " + end + "; the log lost records that a flush had made durable");
        }
        nextToApply = from;
        commitEnd = from;
        requestIds = new RequestIdTable(tree, dir + "/lsm");
        byte[] marker = tree.get(SPLIT_MARKER);
        if (marker != null) {
            split = AppliedSplit.decode(marker, dir + "/lsm");
        }
    }

    /**
     * A split entry this store applied: its offset, the leader epoch that wrote it, what it says.
     * The tree is frozen at {@code offset} from then on (ENGINE.md, "Split entry").
     */
    public record AppliedSplit(long offset, long epoch, SplitEntry entry) {
        byte[] encode() {
            byte[] e = entry.encode();
            byte[] v = new byte[Coding.varintLength(offset) + Coding.varintLength(epoch) + e.length];
            int p = Coding.putVarint(v, 0, offset);
            p = Coding.putVarint(v, p, epoch);
            System.arraycopy(e, 0, v, p, e.length);
            return v;
        }

        static AppliedSplit decode(byte[] v, String where) {
            long[] out = new long[1];
            int p = varint(v, 0, out, where);
            long offset = out[0];
            p = varint(v, p, out, where);
            return new AppliedSplit(offset, out[0], SplitEntry.decode(Arrays.copyOfRange(v, p, v.length), where, offset));
        }

        private static int varint(byte[] b, int p, long[] out, String where) {
            long v = 0;
            for (int shift = 0; shift <= 63; shift += 7) {
                if (p >= b.length) {
                    break;
                }
                byte x = b[p++];
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    out[0] = v;
                    return p;
                }
            }
            throw new CorruptionException(where, -1, "bad varint in the split marker");
        }
    }

    /** The split this store applied, or null if none (yet). */
    public AppliedSplit appliedSplit() {
        return split;
    }

    /** Called (on the applying thread; it must only hand off) once this store has applied a split entry. */
    public void setSplitListener(Runnable listener) {
        splitListener = listener == null ? () -> { } : listener;
    }

    /** Refuses every later {@link #append} with PARTITION_SPLIT (the leader of a SPLITTING partition). */
    public void seal() {
        sealed = true;
    }

    /** Whether appends are refused because of a split (sealed, or a split entry applied). */
    public boolean splitSealed() {
        return sealed || split != null;
    }

    /**
     * Leader: seals the store and appends the split entry at the store's epoch; returns its offset.
     * Appending it again (a new leader that does not know whether its predecessor's committed) is
     * harmless: only the first one applied splits, later ones are after the split and change nothing.
     */
    public long appendSplit(SplitEntry entry) {
        sealed = true;
        return log.append(epoch, Mutation.split(entry).encode());
    }

    /**
     * Applies one committed entry: expires old request ids, recognises a retry, evaluates the
     * condition, writes the value envelope and the request-id entry, all in one tree batch at
     * offset. Deterministic in (tree state, offset, entry), which is what makes replicas agree.
     */
    private ApplyOutcome applyToTree(long offset, Mutation m) {
        if (split != null) {
            // After the split entry nothing changes the tree (not even request-id expiry): it stays
            // exactly the state the children were made from, on every replica.
            ApplyOutcome out = new ApplyOutcome(ApplyOutcome.Status.SPLIT, offset, 0, false);
            recentOutcomes.set((int) (offset & (OUTCOME_SLOTS - 1)), new Applied(offset, out));
            return out;
        }
        WriteBatch b = new WriteBatch();
        requestIds.expire(offset, b);
        ApplyOutcome out;
        AppliedSplit splitHere = null;
        if (m.kind() == Mutation.Kind.EPOCH_START) {
            out = new ApplyOutcome(ApplyOutcome.Status.NO_KEY, offset, 0, false);
        } else if (m.kind() == Mutation.Kind.SPLIT) {
            splitHere = new AppliedSplit(offset, epochOf(offset), SplitEntry.decode(m.value(), dir + "/log", offset));
            b.put(SPLIT_MARKER, splitHere.encode()); // also makes the batch non-empty: the tree's applied offset is this one
            out = new ApplyOutcome(ApplyOutcome.Status.NO_KEY, offset, 0, false);
        } else {
            boolean hasId = m.requestId().length > 0;
            ApplyOutcome prior = hasId ? requestIds.lookup(m.requestId(), offset) : null;
            if (prior != null) {
                out = prior.asDuplicate();
            } else {
                long current = m.conditional() ? versionOf(tree.get(m.key())) : 0;
                if (m.conditional() && current != m.expectedVersion()) {
                    out = new ApplyOutcome(ApplyOutcome.Status.PRECONDITION_FAILED, offset, current, false);
                } else if (m.kind() == Mutation.Kind.PUT) {
                    b.put(m.key(), VersionedValue.encode(offset, m.value()));
                    out = new ApplyOutcome(ApplyOutcome.Status.APPLIED, offset, offset, false);
                } else {
                    b.delete(m.key());
                    out = new ApplyOutcome(ApplyOutcome.Status.APPLIED, offset, 0, false);
                }
                if (hasId) {
                    requestIds.record(m.requestId(), out, b);
                }
            }
        }
        tree.apply(b, offset); // an empty batch is a no-op; replaying it after a reopen decides the same
        recentOutcomes.set((int) (offset & (OUTCOME_SLOTS - 1)), new Applied(offset, out));
        if (splitHere != null) {
            split = splitHere;
            splitListener.run();
        }
        return out;
    }

    /** The leader epoch of the record at offset, from the log's epoch history (the same on every replica). */
    private long epochOf(long offset) {
        long e = 0;
        for (io.stratakv.storage.log.EpochEntry x : log.epochs()) {
            if (x.startOffset() <= offset) {
                e = x.epoch();
            }
        }
        return e;
    }

    private long versionOf(byte[] stored) {
        VersionedValue v = VersionedValue.decode(stored, dir + "/lsm");
        return v == null ? 0 : v.version();
    }

    /**
     * The outcome of the applied entry at offset, or null if it is not applied yet or so long ago
     * that {@link #OUTCOME_SLOTS} later entries replaced it (a writer that needs it then learns it
     * from the request-id table, if the entry had an id).
     */
    public ApplyOutcome outcome(long offset) {
        Applied a = recentOutcomes.get((int) (offset & (OUTCOME_SLOTS - 1)));
        return a != null && a.at == offset ? a.outcome : null;
    }

    private record Applied(long at, ApplyOutcome outcome) {
    }

    private void checkKey(byte[] key) {
        if (key == null || key.length == 0) {
            throw new StorageException(StorageErrorCode.KEY_EMPTY, "key must not be empty");
        }
        if (key.length > options.maxKeyBytes()) {
            throw new StorageException(StorageErrorCode.KEY_TOO_LARGE,
                    "key of " + key.length + " bytes exceeds the limit of " + options.maxKeyBytes());
        }
        if (ReservedKeys.isReserved(key)) {
            throw new StorageException(StorageErrorCode.KEY_RESERVED,
                    "keys starting with the engine's reserved prefix (ENGINE.md, \"Reserved keys\") are refused");
        }
    }

    private void checkValue(byte[] value) {
        if (value == null) {
            throw new StorageException(StorageErrorCode.INVALID_ARGUMENT, "value must not be null");
        }
        if (value.length > options.maxValueBytes()) {
            throw new StorageException(StorageErrorCode.VALUE_TOO_LARGE,
                    "value of " + value.length + " bytes exceeds the limit of " + options.maxValueBytes());
        }
    }

    /**
     * Single-replica write: appends a put and commits it at once (a replica set of one is its own
     * majority); returns its log offset once it is applied.
     */
    public long put(byte[] key, byte[] value) {
        checkKey(key);
        checkValue(value);
        return commitOwn(append(Mutation.put(key, value)));
    }

    /** Single-replica delete; see {@link #put}. */
    public long delete(byte[] key) {
        checkKey(key);
        return commitOwn(append(Mutation.delete(key)));
    }

    private long commitOwn(long offset) {
        long limit = options.fsyncPolicy() == FsyncPolicy.ALWAYS ? log.durableEndOffset() : log.endOffset();
        commitTo(Math.max(limit, offset + 1));
        return offset;
    }

    /**
     * Leader append: writes the mutation to the log at the store's epoch (durably first under fsync
     * policy ALWAYS) and returns its offset. It is not applied until {@link #commitTo} covers it.
     */
    public long append(Mutation m) {
        if (sealed || split != null) {
            throw new StorageException(StorageErrorCode.PARTITION_SPLIT, "partition store " + dir
                    + " is splitting or has split" + (split == null ? "" : " at offset " + split.offset())
                    + "; its children take the writes");
        }
        checkKey(m.key());
        if (m.kind() == Mutation.Kind.PUT) {
            checkValue(m.value());
        }
        long offset = log.append(epoch, m.encode());
        userBytes.addAndGet(m.key().length + m.value().length);
        synchronized (applyLock) {
            if (offset >= nextToApply) {
                pending.put(offset, m); // saves decoding it back from the log when it commits
            }
        }
        return offset;
    }

    /**
     * Leader: appends the record that opens the store's current epoch ({@link Mutation#epochStart})
     * and returns its offset. Entries of older epochs commit only once it does (DESIGN.md §3).
     */
    public long appendEpochStart() {
        return log.append(epoch, Mutation.epochStart().encode());
    }

    /**
     * Marks every offset below newCommitEnd committed and applies them to the tree, in order,
     * before returning. Commit never moves backwards; it cannot pass the log's end.
     */
    public void commitTo(long newCommitEnd) {
        synchronized (applyLock) {
            if (newCommitEnd > log.endOffset()) {
                throw new StorageException(StorageErrorCode.INVALID_ARGUMENT, "commit end " + newCommitEnd
                        + " is past the log end " + log.endOffset());
            }
            if (applyFailure != null) {
                throw new StorageException(StorageErrorCode.ENGINE_FAILED, "partition store " + dir
                        + " stopped applying its log; committed records are applied again when it is reopened",
                        applyFailure);
            }
            if (newCommitEnd > commitEnd) {
                commitEnd = newCommitEnd;
            }
            try {
                while (nextToApply < commitEnd) {
                    Mutation m = pending.remove(nextToApply);
                    if (m != null) {
                        applyToTree(nextToApply, m);
                        nextToApply++;
                        continue;
                    }
                    for (LogRecord r : log.read(nextToApply, 1 << 20)) {
                        if (r.offset() >= commitEnd) {
                            break;
                        }
                        pending.remove(r.offset());
                        applyToTree(r.offset(), Mutation.decode(r.payload(), dir + "/log", r.offset()));
                        nextToApply = r.offset() + 1;
                    }
                }
            } catch (StorageException e) {
                applyFailure = e;
                throw e;
            }
        }
    }

    /** Follower append of records copied from the leader; applied when {@link #commitTo} covers them. */
    public void appendReplicated(List<LogRecord> records) {
        log.appendReplicated(records);
    }

    /**
     * Drops uncommitted records at and after newEnd (a divergent suffix after failover). Applied
     * records are never removed: that would leave the tree holding writes the log no longer has.
     */
    public void truncateUncommitted(long newEnd) {
        synchronized (applyLock) {
            if (newEnd < nextToApply) {
                throw new StorageException(StorageErrorCode.INVALID_ARGUMENT, "cannot truncate the log to " + newEnd
                        + ": records up to " + (nextToApply - 1) + " are committed and applied");
            }
            pending.tailMap(newEnd, true).clear();
            log.truncateSuffix(newEnd);
        }
    }

    /** Offsets below this are committed (and applied). */
    public long commitEnd() {
        synchronized (applyLock) {
            return commitEnd;
        }
    }

    /** The leader epoch this store appends at. */
    public long epoch() {
        return epoch;
    }

    /** Sets the leader epoch for appends; it can only rise (the log refuses older epochs anyway). */
    public void setEpoch(long newEpoch) {
        if (newEpoch < epoch) {
            throw new StorageException(StorageErrorCode.STALE_EPOCH, "epoch " + newEpoch + " is older than " + epoch);
        }
        epoch = newEpoch;
    }

    /** The newest value of key, or null if absent or deleted. */
    public byte[] get(byte[] key) {
        VersionedValue v = getVersioned(key);
        return v == null ? null : v.value();
    }

    /** The newest value of key with its version (the offset that set it), or null if absent. */
    public VersionedValue getVersioned(byte[] key) {
        checkKey(key);
        return VersionedValue.decode(tree.get(key), dir + "/lsm");
    }

    public byte[] get(byte[] key, Snapshot snapshot) {
        checkKey(key);
        VersionedValue v = VersionedValue.decode(tree.get(key, snapshot), dir + "/lsm");
        return v == null ? null : v.value();
    }

    /** How many request ids the replicated table holds now (for tests and metrics). */
    public int requestIdCount() {
        synchronized (applyLock) {
            return requestIds.size();
        }
    }

    public Snapshot snapshot() {
        return tree.snapshot();
    }

    /**
     * User entries with fromInclusive ≤ key < toExclusive (null: unbounded) in key order, on a
     * consistent snapshot; values without their envelope ({@link VersionedScan#version()} has it).
     * The reserved key space is never included.
     */
    public VersionedScan scan(byte[] fromInclusive, byte[] toExclusive) {
        byte[] lo = ReservedKeys.PREFIX;
        byte[] hi = ReservedKeys.END;
        boolean startsBelow = fromInclusive == null || Arrays.compareUnsigned(fromInclusive, lo) < 0;
        boolean endsAbove = toExclusive == null || Arrays.compareUnsigned(toExclusive, hi) > 0;
        boolean startsInside = !startsBelow && Arrays.compareUnsigned(fromInclusive, hi) < 0;
        boolean endsInside = !endsAbove && Arrays.compareUnsigned(toExclusive, lo) > 0;
        if (!(startsBelow || startsInside) || !(endsAbove || endsInside)) {
            return new VersionedScan(List.of(tree.scan(fromInclusive, toExclusive)), () -> { }, dir + "/lsm");
        }
        // The range meets the reserved keys: the parts below and above, on one snapshot.
        Snapshot snap = tree.snapshot();
        List<KvIterator> parts = new ArrayList<>(2);
        if (startsBelow) {
            parts.add(tree.scan(fromInclusive, lo, snap));
        }
        if (endsAbove) {
            parts.add(tree.scan(hi, toExclusive, snap));
        }
        return new VersionedScan(parts, snap::close, dir + "/lsm");
    }

    /** User entries starting with prefix; see {@link #scan}. */
    public VersionedScan scanPrefix(byte[] prefix) {
        if (ReservedKeys.isReserved(prefix)) {
            return new VersionedScan(List.of(), () -> { }, dir + "/lsm");
        }
        return scan(prefix.length == 0 ? null : prefix, prefix.length == 0 ? null : LsmTree.prefixEnd(prefix));
    }

    /** Flushes the memtables to SSTables and waits. */
    public void flush() {
        tree.flush();
    }

    /**
     * Switches the active memtable and schedules its flush without waiting (the node's memtable
     * budget); false if it was empty or the tree cannot write. See {@link LsmTree#requestFlush}.
     */
    public boolean requestFlush() {
        return tree.requestFlush();
    }

    /** Waits until no compaction is needed. */
    public void awaitCompactions() {
        tree.awaitCompactions();
    }

    public void compactAll() {
        tree.compactAll();
    }

    /** A checkpoint of the tree at its applied offset; see {@link LsmTree#checkpoint(Path)}. */
    public CheckpointInfo checkpoint(Path target) {
        return tree.checkpoint(target);
    }

    /**
     * Drops log records below upTo; refuses to drop anything the tree has not persisted in tables.
     * Returns the new log start offset.
     */
    public long truncateLog(long upTo) {
        long safe = tree.persistedLogOffset() + 1;
        if (upTo > safe) {
            throw new StorageException(StorageErrorCode.INVALID_ARGUMENT, "cannot truncate the log to " + upTo
                    + ": the tree has persisted only up to offset " + (safe - 1));
        }
        if (upTo > log.startOffset()) {
            log.truncatePrefix(upTo);
        }
        return log.startOffset();
    }

    public PartitionLog log() {
        return log;
    }

    /**
     * The end this replica may count toward a commit (replication): every offset below it is
     * durable as far as the fsync policy promises. ALWAYS and INTERVAL: fsynced. NEVER: written to
     * the OS, since that policy never fsyncs on its own; counting only fsynced offsets would leave
     * commits waiting for a segment roll or a flush (DESIGN.md §4.6 states what NEVER may lose).
     */
    public long replicationDurableEnd() {
        return options.fsyncPolicy() == FsyncPolicy.NEVER ? log.endOffset() : log.durableEndOffset();
    }

    /** The store's directory (log/ and lsm/ inside it). */
    public Path dir() {
        return dir;
    }

    public LsmTree tree() {
        return tree;
    }

    public StoreStats stats() {
        int levels = LsmTree.levels();
        long[] levelBytes = new long[levels];
        long[] levelFiles = new long[levels];
        for (int i = 0; i < levels; i++) {
            levelBytes[i] = tree.levelBytes(i);
            levelFiles[i] = tree.levelFiles(i);
        }
        return new StoreStats(userBytes.get(), log.bytesWritten(), tree.flushBytesWritten(), tree.compactionBytesWritten(),
                tree.liveTableBytes(), tree.memtableBytes(), levelBytes, levelFiles);
    }

    @Override
    public void close() {
        try {
            tree.close();
        } finally {
            log.close();
        }
    }
}
