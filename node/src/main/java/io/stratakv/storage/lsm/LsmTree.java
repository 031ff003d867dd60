package io.stratakv.storage.lsm;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.stratakv.storage.KvIterator;
import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.sstable.BlockCache;
import io.stratakv.storage.sstable.TableOptions;
import io.stratakv.storage.sstable.TableReader;
import io.stratakv.storage.sstable.TableStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A log-structured merge tree: the materialised state of one partition's event log.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Sequence numbers are assigned in write order and published ({@code lastSequence}) only after
 *       the write is in the memtable. A snapshot reader registers its sequence <em>before</em> it pins
 *       the read state, so whatever that sequence covers is reachable from the state it pins; a plain
 *       get (no registered snapshot) pins first and then picks its sequence, so no compaction
 *       installed in between can have dropped a version it needs.</li>
 *   <li>Data moves only downwards and only newer over older: memtable → immutable memtables (newest
 *       first) → L0 (newest first) → L1 … L6. A get returns the first version ≤ its sequence found
 *       in that order.</li>
 *   <li>A new {@link ReadState} (memtables + version) is published only after the manifest edit that
 *       backs it is durable; a flush removes its memtable in the same step that adds its table.</li>
 *   <li>The applied log offset recorded with each flush covers exactly the writes in the tables, so
 *       a restart replays the log from there (the tree has no log of its own).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * One writer at a time (the write lock) assigns sequences and inserts; any number of readers; one
 * flush thread; {@code compactionThreads} compaction threads. {@code stateLock} guards switching
 * memtables, installing versions and picking compactions; writers wait on {@code backgroundDone}
 * when they must stall for a flush or compaction.
 */
public final class LsmTree implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LsmTree.class);

    /** What a read needs: the memtables and the version, pinned together. */
    private record ReadState(MemTable mem, List<MemTable> immutables, Version version) {
    }

    private final StorageFs fs;
    private final Path dir;
    private final StoreOptions options;
    private final TableOptions tableOptions;
    private final BlockCache blockCache;
    private final TableStats tableStats = new TableStats();
    private final TableCache tables;
    private final VersionSet versions;
    private final CompactionPicker picker;
    final SnapshotList snapshots = new SnapshotList(); // package-private for a test hook

    private final Object writeLock = new Object();
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition backgroundDone = stateLock.newCondition();
    private volatile ReadState state;
    private volatile long lastSequence;
    private volatile long appliedLogOffset;
    private volatile StorageException backgroundError;
    private volatile boolean closed;
    private long nextMemTableId;
    /** Called with a memtable's highest log offset before its flush is recorded; see setFlushBarrier. */
    private volatile java.util.function.LongConsumer flushBarrier = offset -> { };

    private final ExecutorService flushExecutor;
    private final ExecutorService compactionExecutor;
    private final Set<Long> compacting = new HashSet<>();
    private int runningCompactions;
    private boolean flushScheduled;
    /** Manual compactions running or waiting to run; automatic ones hold off while positive. */
    private int manualCompactions;

    private final MetricRegistry metrics;
    private final String metricPrefix;
    private final Timer flushTimer;
    private final Timer compactionTimer;
    private final Timer stallTimer;
    private final Counter flushBytes;
    private final Counter compactionBytes;
    private final AtomicLong flushBytesTotal = new AtomicLong();
    private final AtomicLong compactionBytesTotal = new AtomicLong();

    private LsmTree(StorageFs fs, Path dir, StoreOptions options, MetricRegistry metrics, String metricPrefix,
                    BlockCache sharedCache) {
        this.fs = fs;
        this.dir = dir;
        this.options = options;
        this.tableOptions = new TableOptions(options.blockSize(), 16, options.bloomBitsPerKey());
        this.blockCache = sharedCache != null ? sharedCache : new BlockCache(options.blockCacheBytes());
        this.tables = new TableCache(fs, dir, blockCache, tableStats);
        this.versions = new VersionSet(fs, dir, tables);
        this.picker = new CompactionPicker(options);
        this.metrics = metrics == null ? new MetricRegistry() : metrics;
        this.metricPrefix = metricPrefix == null || metricPrefix.isEmpty() ? "lsm" : metricPrefix + ".lsm";
        this.flushTimer = this.metrics.timer(name("flush"));
        this.compactionTimer = this.metrics.timer(name("compaction"));
        this.stallTimer = this.metrics.timer(name("stall"));
        this.flushBytes = this.metrics.counter(name("flush.bytes"));
        this.compactionBytes = this.metrics.counter(name("compaction.bytes"));
        this.flushExecutor = Executors.newSingleThreadExecutor(daemon("lsm-flush " + dir));
        this.compactionExecutor = Executors.newFixedThreadPool(Math.max(1, options.compactionThreads()),
                daemon("lsm-compaction " + dir));
    }

    /** Opens the tree in dir (creating it if absent) and starts its background threads. */
    public static LsmTree open(StorageFs fs, Path dir, StoreOptions options, MetricRegistry metrics, String metricPrefix) {
        return open(fs, dir, options, metrics, metricPrefix, null);
    }

    /**
     * Opens the tree with a block cache shared with other trees (a node's one memory budget for all
     * its partitions); null gives the tree a cache of its own of {@code options.blockCacheBytes()}.
     */
    public static LsmTree open(StorageFs fs, Path dir, StoreOptions options, MetricRegistry metrics, String metricPrefix,
                               BlockCache sharedCache) {
        try {
            fs.createDirectories(dir);
        } catch (IOException e) {
            throw StorageException.io("creating " + dir, e);
        }
        LsmTree t = new LsmTree(fs, dir, options, metrics, metricPrefix, sharedCache);
        try {
            t.versions.recover();
        } catch (RuntimeException e) {
            t.shutdownThreads();
            t.tables.close();
            t.versions.close();
            throw e;
        }
        t.lastSequence = t.versions.lastSequence();
        t.appliedLogOffset = t.versions.appliedLogOffset();
        Version v = t.versions.retainCurrent();
        t.state = new ReadState(new MemTable(t.nextMemTableId++), List.of(), v);
        t.registerGauges();
        t.stateLock.lock();
        try {
            t.maybeScheduleCompaction();
        } finally {
            t.stateLock.unlock();
        }
        return t;
    }

    public static LsmTree open(StorageFs fs, Path dir, StoreOptions options) {
        return open(fs, dir, options, null, null);
    }

    /**
     * Installs the hook that makes the log durable up to an offset. A flush records in the manifest
     * that the tables hold every write up to its memtable's highest log offset; if the log could then
     * lose those records in a power failure, the tree would hold writes the log no longer has and
     * log offsets would be reused. So the flush first calls the barrier (RocksDB syncs its WAL
     * before a flush for the same reason).
     */
    public void setFlushBarrier(java.util.function.LongConsumer barrier) {
        this.flushBarrier = barrier;
    }

    private String name(String suffix) {
        return metricPrefix + "." + suffix;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private void registerGauges() {
        metrics.register(name("memtable.bytes"), (Gauge<Long>) () -> state.mem.approximateBytes());
        metrics.register(name("memtable.immutable.count"), (Gauge<Integer>) () -> state.immutables.size());
        for (int level = 0; level < VersionSet.LEVELS; level++) {
            final int l = level;
            metrics.register(name("level." + l + ".bytes"), (Gauge<Long>) () -> versions.current().levelBytes(l));
            metrics.register(name("level." + l + ".files"), (Gauge<Integer>) () -> versions.current().files(l).size());
        }
        metrics.register(name("bloom.checks"), (Gauge<Long>) tableStats::bloomChecks);
        metrics.register(name("bloom.useful"), (Gauge<Long>) tableStats::bloomNegatives);
        metrics.register(name("block.cache.hits"), (Gauge<Long>) tableStats::cacheHits);
        metrics.register(name("block.cache.misses"), (Gauge<Long>) tableStats::cacheMisses);
        metrics.register(name("block.cache.bytes"), (Gauge<Long>) blockCache::usedBytes);
    }

    // ------------------------------------------------------------------------------------ writes

    /**
     * Applies a batch as the effect of log offset logOffset (-1 if it has none). Blocks while the
     * tree must stall for background work. Throws the background error if one occurred.
     */
    public void apply(WriteBatch batch, long logOffset) {
        if (batch.size() == 0) {
            return;
        }
        synchronized (writeLock) {
            checkWritable();
            makeRoomForWrite();
            MemTable mem = state.mem;
            long seq = lastSequence;
            for (WriteBatch.Op op : batch.ops) {
                mem.add(op.key(), ++seq, op.type(), op.value());
            }
            mem.setMaxLogOffset(logOffset);
            if (seq > InternalKey.MAX_SEQUENCE) {
                throw new StorageException(StorageErrorCode.ENGINE_FAILED, "sequence numbers exhausted");
            }
            lastSequence = seq;
            if (logOffset > appliedLogOffset) {
                appliedLogOffset = logOffset;
            }
        }
    }

    public void put(byte[] key, byte[] value, long logOffset) {
        apply(new WriteBatch().put(key, value), logOffset);
    }

    public void delete(byte[] key, long logOffset) {
        apply(new WriteBatch().delete(key), logOffset);
    }

    private void checkWritable() {
        if (closed) {
            throw new StorageException(StorageErrorCode.CLOSED, "LSM tree " + dir + " is closed");
        }
        StorageException bg = backgroundError;
        if (bg != null) {
            StorageErrorCode code = bg.code() == StorageErrorCode.DISK_FULL ? StorageErrorCode.DISK_FULL : StorageErrorCode.ENGINE_FAILED;
            throw new StorageException(code, "LSM tree " + dir + " refuses writes after a background failure "
                    + "(reopen it once the cause is fixed): " + bg.getMessage(), bg);
        }
    }

    /** Called with the write lock held. LevelDB's MakeRoomForWrite, with the same three brakes. */
    private void makeRoomForWrite() {
        boolean delayed = false;
        while (true) {
            ReadState s = state;
            int l0 = s.version.files(0).size();
            if (!delayed && l0 >= options.l0SlowdownTrigger()) {
                // Spread the pain: one millisecond per write rather than a long stop later.
                try (Timer.Context ignored = stallTimer.time()) {
                    TimeUnit.MILLISECONDS.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException(StorageErrorCode.IO_ERROR, "interrupted while throttled");
                }
                delayed = true;
                continue;
            }
            if (s.mem.approximateBytes() < options.memtableBytes()) {
                return;
            }
            stateLock.lock();
            try {
                s = state;
                if (s.mem.approximateBytes() < options.memtableBytes()) {
                    return;
                }
                if (s.immutables.size() >= options.maxImmutableMemtables()
                        || s.version.files(0).size() >= options.l0StopTrigger()) {
                    try (Timer.Context ignored = stallTimer.time()) {
                        backgroundDone.await(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new StorageException(StorageErrorCode.IO_ERROR, "interrupted while stalled");
                    }
                    checkWritable();
                    continue;
                }
                switchMemTable();
                return;
            } finally {
                stateLock.unlock();
            }
        }
    }

    /** Makes the memtable immutable and schedules its flush. Caller holds stateLock. */
    private void switchMemTable() {
        ReadState s = state;
        List<MemTable> imms = new ArrayList<>(s.immutables.size() + 1);
        imms.add(s.mem);
        imms.addAll(s.immutables);
        state = new ReadState(new MemTable(nextMemTableId++), List.copyOf(imms), s.version);
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (!flushScheduled && !closed) {
            flushScheduled = true;
            flushExecutor.execute(this::flushAll);
        }
    }

    // ------------------------------------------------------------------------------------ flush

    private void flushAll() {
        while (true) {
            MemTable imm;
            stateLock.lock();
            try {
                List<MemTable> imms = state.immutables;
                if (imms.isEmpty() || backgroundError != null || closed) {
                    flushScheduled = false;
                    backgroundDone.signalAll();
                    return;
                }
                imm = imms.get(imms.size() - 1);
            } finally {
                stateLock.unlock();
            }
            try {
                flushOne(imm);
            } catch (RuntimeException e) {
                fail("flush of memtable " + imm.id(), e);
                stateLock.lock();
                try {
                    flushScheduled = false;
                    backgroundDone.signalAll();
                } finally {
                    stateLock.unlock();
                }
                return;
            }
        }
    }

    private void flushOne(MemTable imm) {
        long start = System.nanoTime();
        FileMeta f = null;
        if (!imm.isEmpty()) {
            TableWriter w = new TableWriter(fs, tables, versions.newFileNumber(), tableOptions);
            try {
                InternalIterator it = imm.iterator();
                for (it.seekToFirst(); it.valid(); it.next()) {
                    w.add(it.key(), it.value());
                }
            } catch (RuntimeException e) {
                w.abandon();
                throw e;
            }
            f = w.finish();
        }
        VersionEdit edit = new VersionEdit();
        if (f != null) {
            edit.addFile(0, f);
        }
        edit.lastSequence = imm.maxSequence();
        edit.appliedLogOffset = imm.maxLogOffset();
        if (imm.maxLogOffset() >= 0) {
            try {
                flushBarrier.accept(imm.maxLogOffset());
            } catch (RuntimeException e) {
                if (f != null) {
                    deleteQuietly(f.number);
                }
                throw e;
            }
        }
        stateLock.lock();
        try {
            // On failure the table stays: the edit naming it may be on disk (see logAndApply).
            Version v = versions.logAndApply(edit);
            ReadState s = state;
            List<MemTable> imms = new ArrayList<>(s.immutables);
            imms.remove(imm);
            publish(s.mem, List.copyOf(imms), v);
            backgroundDone.signalAll();
            maybeScheduleCompaction();
        } finally {
            stateLock.unlock();
        }
        if (f != null) {
            flushBytes.inc(f.size);
            flushBytesTotal.addAndGet(f.size);
        }
        flushTimer.update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /** Publishes a new read state over version v. Caller holds stateLock. */
    private void publish(MemTable mem, List<MemTable> imms, Version v) {
        if (!v.tryRetain()) {
            throw new IllegalStateException("installing a released version");
        }
        ReadState old = state;
        state = new ReadState(mem, imms, v);
        old.version.release();
    }

    private void deleteQuietly(long number) {
        try {
            fs.delete(tables.path(number));
        } catch (IOException ignored) {
            // an orphan is removed at the next open
        }
    }

    private void fail(String what, RuntimeException e) {
        StorageException se = e instanceof StorageException s ? s
                : new StorageException(StorageErrorCode.ENGINE_FAILED, what + " failed: " + e, e);
        LOG.error("LSM tree {}: {} failed; writes are refused until reopen", dir, what, e);
        stateLock.lock();
        try {
            if (backgroundError == null) {
                backgroundError = se;
            }
            backgroundDone.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /** Flushes every memtable holding data written so far and waits until they are in tables. */
    public void flush() {
        // Lock order everywhere: writeLock, then stateLock (writers switch memtables that way).
        MemTable target;
        synchronized (writeLock) {
            stateLock.lock();
            try {
                checkWritable();
                if (!state.mem.isEmpty()) {
                    switchMemTable();
                }
                target = state.immutables.isEmpty() ? null : state.immutables.get(0);
            } finally {
                stateLock.unlock();
            }
        }
        if (target == null) {
            return;
        }
        stateLock.lock();
        try {
            while (state.immutables.contains(target)) {
                if (backgroundError != null || closed) {
                    checkWritable(); // a closed tree's flush thread stops: never wait for it
                }
                backgroundDone.await(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(StorageErrorCode.IO_ERROR, "interrupted while flushing");
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * Makes the active memtable immutable and schedules its flush without waiting for it (the
     * node-wide memtable budget asks this of the largest memtable; RocksDB's WriteBufferManager
     * does the same). The flush goes through the flush barrier like any other, so the log is made
     * durable up to the memtable's last offset first. Returns false, switching nothing, when the
     * memtable is empty or the tree is closed or failed. Takes the write lock for a moment: a writer
     * stalled by the engine's own brakes delays the caller, never the other way round.
     */
    public boolean requestFlush() {
        synchronized (writeLock) {
            stateLock.lock();
            try {
                if (closed || backgroundError != null || state.mem.isEmpty()) {
                    return false;
                }
                switchMemTable();
                return true;
            } finally {
                stateLock.unlock();
            }
        }
    }

    // ------------------------------------------------------------------------------------ compaction

    /** Caller holds stateLock. */
    private void maybeScheduleCompaction() {
        while (!closed && manualCompactions == 0 && backgroundError == null
                && runningCompactions < Math.max(1, options.compactionThreads())) {
            Compaction c = picker.pick(versions.current(), compacting, versions.compactPointer);
            if (c == null) {
                return;
            }
            startCompaction(c);
            compactionExecutor.execute(() -> runCompaction(c));
        }
    }

    private void startCompaction(Compaction c) {
        runningCompactions++;
        for (FileMeta f : c.allFiles()) {
            compacting.add(f.number);
        }
    }

    private void finishCompaction(Compaction c) {
        runningCompactions--;
        for (FileMeta f : c.allFiles()) {
            compacting.remove(f.number);
        }
        c.version().release();
        backgroundDone.signalAll();
    }

    private void runCompaction(Compaction c) {
        try {
            doCompaction(c);
        } catch (RuntimeException e) {
            fail("compaction of level " + c.level() + " " + c.allFiles(), e);
        } finally {
            stateLock.lock();
            try {
                finishCompaction(c);
                maybeScheduleCompaction();
            } finally {
                stateLock.unlock();
            }
        }
    }

    private void doCompaction(Compaction c) {
        long start = System.nanoTime();
        CompactionJob job = new CompactionJob(fs, tables, options, tableOptions, versions::newFileNumber);
        VersionEdit edit = job.run(c, snapshots.oldest(lastSequence));
        stateLock.lock();
        try {
            // On failure the outputs stay: the edit naming them may be on disk (see logAndApply).
            Version v = versions.logAndApply(edit);
            if (c.level() > 0) {
                versions.compactPointer[c.level()] = InternalKey.userKey(c.inputs().get(c.inputs().size() - 1).largest);
            }
            ReadState s = state;
            publish(s.mem, s.immutables, v);
        } finally {
            stateLock.unlock();
        }
        compactionBytes.inc(job.bytesWritten);
        compactionBytesTotal.addAndGet(job.bytesWritten);
        compactionTimer.update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        LOG.debug("compacted L{} {} + L{} {} -> {} bytes, {} entries dropped", c.level(), c.inputs(),
                c.outputLevel(), c.overlaps(), job.bytesWritten, job.entriesDropped);
    }

    /** Waits until no compaction is running and none is needed. */
    public void awaitCompactions() {
        stateLock.lock();
        try {
            while (true) {
                if (backgroundError != null || closed) {
                    checkWritable(); // a closed tree schedules no compaction: never wait for one
                }
                maybeScheduleCompaction();
                if (runningCompactions == 0 && picker.pick(versions.current(), compacting, versions.compactPointer) == null) {
                    return;
                }
                backgroundDone.await(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(StorageErrorCode.IO_ERROR, "interrupted while waiting for compactions");
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * Compacts every file of level into level + 1 now, on the calling thread (tests and operators:
     * it lets a test drive compactions in any order). Background compactions are held off meanwhile.
     */
    public void compactLevel(int level) {
        if (level < 0 || level >= VersionSet.LEVELS - 1) {
            throw new StorageException(StorageErrorCode.INVALID_ARGUMENT, "level must be 0.." + (VersionSet.LEVELS - 2));
        }
        Compaction c = null;
        stateLock.lock();
        try {
            manualCompactions++;
            while (runningCompactions > 0) {
                backgroundDone.await(100, TimeUnit.MILLISECONDS);
            }
            checkWritable();
            c = picker.pickWholeLevel(versions.current(), level, compacting);
            if (c != null) {
                startCompaction(c);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(StorageErrorCode.IO_ERROR, "interrupted before compaction");
        } finally {
            if (c == null) {
                // nothing to do, or we failed before starting: let automatic compactions go on
                manualCompactions--;
                maybeScheduleCompaction();
            }
            stateLock.unlock();
        }
        if (c == null) {
            return;
        }
        try {
            doCompaction(c);
        } catch (RuntimeException e) {
            fail("manual compaction of level " + level, e);
            throw e;
        } finally {
            stateLock.lock();
            try {
                manualCompactions--;
                finishCompaction(c);
                maybeScheduleCompaction();
            } finally {
                stateLock.unlock();
            }
        }
    }

    /** Flushes, then compacts every level down into the last non-empty one below it. */
    public void compactAll() {
        flush();
        for (int level = 0; level < VersionSet.LEVELS - 1; level++) {
            compactLevel(level);
        }
    }

    // ------------------------------------------------------------------------------------ reads

    /** Test hook: runs on a reader's thread just before it pins the read state. */
    Runnable beforePinningReadState;

    private ReadState acquireState() {
        Runnable hook = beforePinningReadState;
        if (hook != null) {
            hook.run();
        }
        while (true) {
            ReadState s = state;
            if (s.version.tryRetain()) {
                return s;
            }
        }
    }

    /** The newest value of key, or null if absent or deleted. */
    public byte[] get(byte[] key) {
        return get(key, -1);
    }

    /** The value of key as of snapshot. */
    public byte[] get(byte[] key, Snapshot snapshot) {
        return get(key, snapshot.sequence());
    }

    /** sequence -1: the newest, read after pinning (see below). */
    private byte[] get(byte[] key, long sequence) {
        if (closed) {
            throw new StorageException(StorageErrorCode.CLOSED, "LSM tree " + dir + " is closed");
        }
        ReadState s = acquireState();
        if (sequence < 0) {
            // Pin first, then pick the sequence: a plain get holds no snapshot, so a sequence picked
            // before the pin could be older than a compaction installed in between assumed when it
            // dropped the versions superseded at its own lastSequence. Writes at sequences this state
            // lacks went to a memtable switched in after the pin: they are concurrent with this get.
            sequence = lastSequence;
        }
        try {
            Map.Entry<byte[], byte[]> e = s.mem.get(key, sequence);
            if (e != null) {
                return InternalKey.type(e.getKey()) == InternalKey.TYPE_PUT ? e.getValue() : null;
            }
            for (MemTable imm : s.immutables) {
                e = imm.get(key, sequence);
                if (e != null) {
                    return InternalKey.type(e.getKey()) == InternalKey.TYPE_PUT ? e.getValue() : null;
                }
            }
            TableReader.Entry te = s.version.get(key, sequence, tables);
            if (te != null && InternalKey.type(te.internalKey()) == InternalKey.TYPE_PUT) {
                return te.value();
            }
            return null;
        } finally {
            s.version.release();
        }
    }

    /** A snapshot of everything written so far. Close it to let compaction collect what it holds. */
    public Snapshot snapshot() {
        return snapshots.acquire(() -> lastSequence);
    }

    /** Keys in [fromInclusive, toExclusive) (null = unbounded) as of now, in key order. */
    public KvIterator scan(byte[] fromInclusive, byte[] toExclusive) {
        Snapshot snap = snapshot();
        return scan(fromInclusive, toExclusive, snap.sequence(), snap::close);
    }

    /** Keys in [fromInclusive, toExclusive) as of snapshot (which the caller keeps open). */
    public KvIterator scan(byte[] fromInclusive, byte[] toExclusive, Snapshot snapshot) {
        return scan(fromInclusive, toExclusive, snapshot.sequence(), () -> { });
    }

    /** Keys starting with prefix, as of now. */
    public KvIterator scanPrefix(byte[] prefix) {
        return scan(prefix, prefixEnd(prefix));
    }

    /** The smallest key greater than every key starting with prefix, or null if there is none. */
    public static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return java.util.Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    private KvIterator scan(byte[] from, byte[] to, long sequence, Runnable release) {
        if (closed) {
            release.run();
            throw new StorageException(StorageErrorCode.CLOSED, "LSM tree " + dir + " is closed");
        }
        if (from != null && to != null && java.util.Arrays.compareUnsigned(from, to) > 0) {
            release.run();
            throw new StorageException(StorageErrorCode.INVALID_ARGUMENT, "scan range start is after its end");
        }
        ReadState s = acquireState();
        List<InternalIterator> children = new ArrayList<>();
        children.add(s.mem.iterator());
        for (MemTable imm : s.immutables) {
            children.add(imm.iterator());
        }
        for (FileMeta f : s.version.files(0)) {
            children.add(tables.get(f).iterator());
        }
        for (int level = 1; level < s.version.levelCount(); level++) {
            if (!s.version.files(level).isEmpty()) {
                children.add(new LevelIterator(s.version.files(level), tables, true));
            }
        }
        return new UserIterator(new MergingIterator(children), sequence, from, to, () -> {
            s.version.release();
            release.run();
        });
    }

    // ------------------------------------------------------------------------------------ checkpoints

    /**
     * Writes a checkpoint into target (which must not exist, on the same file system): flushes, then
     * hard-links every live table and writes a manifest and CURRENT describing them. The result opens
     * as an LSM tree holding every write up to its applied log offset.
     */
    public CheckpointInfo checkpoint(Path target) {
        if (fs.exists(target)) {
            throw new StorageException(StorageErrorCode.INVALID_ARGUMENT, "checkpoint target exists: " + target);
        }
        flush();
        stateLock.lock();
        try {
            Version v = versions.current();
            fs.createDirectories(target);
            List<String> names = new ArrayList<>();
            long bytes = 0;
            for (int level = 0; level < v.levelCount(); level++) {
                for (FileMeta f : v.files(level)) {
                    String n = TableCache.fileName(f.number);
                    fs.link(tables.path(f.number), target.resolve(n));
                    names.add(n);
                    bytes += f.size;
                }
            }
            fs.syncDir(target);
            versions.writeSnapshotTo(fs, target, v);
            return new CheckpointInfo(target, versions.appliedLogOffset(), versions.lastSequence(), List.copyOf(names), bytes);
        } catch (IOException e) {
            throw StorageException.io("writing checkpoint " + target, e);
        } finally {
            stateLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------ state

    /** Highest log offset applied to this tree (memtables included). */
    public long appliedLogOffset() {
        return appliedLogOffset;
    }

    /** Highest log offset whose effects are durable in tables: a restart replays the log after it. */
    public long persistedLogOffset() {
        return versions.appliedLogOffset();
    }

    public long lastSequence() {
        return lastSequence;
    }

    public long liveTableBytes() {
        return versions.current().totalBytes();
    }

    public long memtableBytes() {
        ReadState s = state;
        long sum = s.mem.approximateBytes();
        for (MemTable m : s.immutables) {
            sum += m.approximateBytes();
        }
        return sum;
    }

    /** Bytes in the active (still written) memtable only. */
    public long activeMemtableBytes() {
        return state.mem.approximateBytes();
    }

    /** Memtables switched out and waiting for (or in) their flush. */
    public int immutableMemtableCount() {
        return state.immutables.size();
    }

    public long levelBytes(int level) {
        return versions.current().levelBytes(level);
    }

    public int levelFiles(int level) {
        return versions.current().files(level).size();
    }

    public static int levels() {
        return VersionSet.LEVELS;
    }

    public long flushBytesWritten() {
        return flushBytesTotal.get();
    }

    public long compactionBytesWritten() {
        return compactionBytesTotal.get();
    }

    public TableStats tableStats() {
        return tableStats;
    }

    public int liveSnapshots() {
        return snapshots.size();
    }

    /** Null if healthy, else the background failure that stopped writes. */
    public StorageException backgroundError() {
        return backgroundError;
    }

    /** Human-readable file layout, for logs and tests. */
    public String describe() {
        return versions.current().toString();
    }

    private void shutdownThreads() {
        flushExecutor.shutdownNow();
        compactionExecutor.shutdownNow();
    }

    /**
     * Stops background work and closes files. Memtable contents are not flushed: they are rebuilt
     * from the log at the next open (call {@link #flush()} first for a faster restart).
     */
    @Override
    public void close() {
        stateLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            backgroundDone.signalAll();
        } finally {
            stateLock.unlock();
        }
        flushExecutor.shutdown();
        compactionExecutor.shutdown();
        try {
            flushExecutor.awaitTermination(1, TimeUnit.MINUTES);
            compactionExecutor.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        versions.close();
        tables.close();
        metrics.removeMatching(MetricFilter.startsWith(metricPrefix + "."));
    }
}
