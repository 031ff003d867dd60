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
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One partition's storage: its event log (the write-ahead log) materialised into an LSM tree.
 *
 * <p>Invariants: every change enters the log first and the tree second, in log-offset order, with
 * no gaps; the tree's persisted log offset P means offsets ≤ P are in its tables, so opening
 * replays the log from P + 1. Under fsync policy ALWAYS a write is applied (and so visible) only
 * once it is durable, and concurrent writers share fsyncs (group commit in the log). The log is
 * truncated from the front only up to P + 1 (nothing the tree still needs is dropped).
 *
 * <p>Threads: any number of writers and readers. Writers append to the log (which orders them),
 * park their mutation by offset, and whichever writer finds the next offset durable applies the run
 * of parked mutations in order.
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
    private volatile long epoch;
    private final AtomicLong userBytes = new AtomicLong();
    /** Set when applying a logged mutation to the tree failed; guarded by applyLock. */
    private StorageException applyFailure;

    private PartitionStore(Path dir, StoreOptions options, PartitionLog log, LsmTree tree) {
        this.dir = dir;
        this.options = options;
        this.log = log;
        this.tree = tree;
    }

    /** Opens (creating if absent) the store in dir: log under dir/log, LSM tree under dir/lsm. */
    public static PartitionStore open(StorageFs fs, Path dir, StoreOptions options, MetricRegistry metrics) {
        return open(fs, dir, options, metrics, null);
    }

    public static PartitionStore open(StorageFs fs, Path dir, StoreOptions options, MetricRegistry metrics, String metricPrefix) {
        LogConfig logConfig = new LogConfig(options.logSegmentBytes(),
                options.maxKeyBytes() + options.maxValueBytes() + 1024, options.fsyncPolicy(), options.fsyncInterval());
        PartitionLog log = PartitionLog.open(fs, dir.resolve("log"), logConfig, metrics);
        LsmTree tree;
        try {
            tree = LsmTree.open(fs, dir.resolve("lsm"), options, metrics, metricPrefix);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        PartitionStore store = new PartitionStore(dir, options, log, tree);
        tree.setFlushBarrier(log::awaitDurable);
        try {
            store.replay();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        store.epoch = Math.max(0, log.latestEpoch());
        return store;
    }

    /** Applies the log records the tree's tables do not hold yet. */
    private void replay() {
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
        long next = from;
        while (next < end) {
            List<LogRecord> batch = log.read(next, 4 << 20);
            for (LogRecord r : batch) {
                applyToTree(r.offset(), Mutation.decode(r.payload(), dir + "/log", r.offset()));
                next = r.offset() + 1;
            }
        }
        nextToApply = end;
    }

    private void applyToTree(long offset, Mutation m) {
        WriteBatch b = new WriteBatch();
        if (m.kind() == Mutation.Kind.PUT) {
            b.put(m.key(), m.value());
        } else {
            b.delete(m.key());
        }
        tree.apply(b, offset);
    }

    private void checkKey(byte[] key) {
        if (key == null || key.length == 0) {
            throw new StorageException(StorageErrorCode.KEY_EMPTY, "key must not be empty");
        }
        if (key.length > options.maxKeyBytes()) {
            throw new StorageException(StorageErrorCode.KEY_TOO_LARGE,
                    "key of " + key.length + " bytes exceeds the limit of " + options.maxKeyBytes());
        }
    }

    /** Appends a put to the log and applies it; returns its log offset. */
    public long put(byte[] key, byte[] value) {
        checkKey(key);
        if (value == null) {
            throw new StorageException(StorageErrorCode.INVALID_ARGUMENT, "value must not be null");
        }
        if (value.length > options.maxValueBytes()) {
            throw new StorageException(StorageErrorCode.VALUE_TOO_LARGE,
                    "value of " + value.length + " bytes exceeds the limit of " + options.maxValueBytes());
        }
        return write(Mutation.put(key, value));
    }

    /** Appends a delete to the log and applies it; returns its log offset. */
    public long delete(byte[] key) {
        checkKey(key);
        return write(Mutation.delete(key));
    }

    private long write(Mutation m) {
        long offset = log.append(epoch, m.encode());
        userBytes.addAndGet(m.key().length + m.value().length);
        pending.put(offset, m);
        long durable = options.fsyncPolicy() == FsyncPolicy.ALWAYS ? log.durableEndOffset() : log.endOffset();
        applyUpTo(Math.max(durable, offset + 1), offset);
        return offset;
    }

    /** Applies parked mutations in offset order below limit, until offset is applied. */
    private void applyUpTo(long limit, long offset) {
        synchronized (applyLock) {
            while (true) {
                if (applyFailure != null) {
                    throw new StorageException(StorageErrorCode.ENGINE_FAILED, "partition store " + dir
                            + " stopped applying its log; the write at offset " + offset + " is logged and will be "
                            + "applied when the store is reopened", applyFailure);
                }
                while (nextToApply < limit) {
                    Mutation m = pending.remove(nextToApply);
                    if (m == null) {
                        break; // its writer has not parked it yet; it will apply it
                    }
                    try {
                        applyToTree(nextToApply, m);
                    } catch (StorageException e) {
                        applyFailure = e;
                        applyLock.notifyAll();
                        throw e;
                    }
                    nextToApply++;
                }
                if (nextToApply > offset) {
                    applyLock.notifyAll();
                    return;
                }
                try {
                    applyLock.wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException(StorageErrorCode.IO_ERROR, "interrupted while applying");
                }
            }
        }
    }

    /** The newest value of key, or null if absent or deleted. */
    public byte[] get(byte[] key) {
        checkKey(key);
        return tree.get(key);
    }

    public byte[] get(byte[] key, Snapshot snapshot) {
        checkKey(key);
        return tree.get(key, snapshot);
    }

    public Snapshot snapshot() {
        return tree.snapshot();
    }

    /** Entries with fromInclusive ≤ key < toExclusive (null: unbounded) in key order, on a consistent snapshot. */
    public KvIterator scan(byte[] fromInclusive, byte[] toExclusive) {
        return tree.scan(fromInclusive, toExclusive);
    }

    public KvIterator scanPrefix(byte[] prefix) {
        return tree.scanPrefix(prefix);
    }

    /** Flushes the memtables to SSTables and waits. */
    public void flush() {
        tree.flush();
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
