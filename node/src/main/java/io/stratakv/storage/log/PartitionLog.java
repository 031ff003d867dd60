package io.stratakv.storage.log;

import com.codahale.metrics.MetricRegistry;
import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.ReadableFile;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.fs.WritableFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;

import static io.stratakv.storage.log.RecordFrame.HEADER_BYTES;

/**
 * The event log of one partition replica: its write-ahead log. Records get consecutive offsets from
 * 0, carry the leader epoch that wrote them, and live in segment files named by their first offset.
 * Byte layouts and recovery rules: LOG_FORMAT.md beside this file.
 *
 * <h2>What always holds</h2>
 * <ol>
 *   <li>Segments are contiguous: each starts at the offset where the previous one ends, and records
 *       inside have consecutive offsets. Only the last segment (the active one) is ever written;
 *       every other one was fsynced, and its successor's directory entry made durable, when it rolled.
 *   <li>{@code startOffset ≤ durableEndOffset ≤ endOffset}. Every byte of a record below endOffset
 *       was handed to the OS before endOffset moved past it; every record below durableEndOffset is
 *       fsynced, and so is its segment's directory entry.
 *   <li>Under ALWAYS an append returns only once its record is below durableEndOffset.
 *   <li>Epochs strictly increase and so do their start offsets; each record at or above startOffset
 *       carries the epoch of the last entry starting at or before it. An epoch is durable in the
 *       epoch file before any record of it is written.
 *   <li>The log start is durable, and every record below it too, before any segment below it is
 *       deleted.
 *   <li>Once the log has failed (an fsync or write error) it stays failed: no append, sync or
 *       truncation succeeds until it is closed and reopened, so nothing is acknowledged that a
 *       failed fsync may have lost.
 * </ol>
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li><b>appendLock</b> serialises appends and truncations. It guards the write buffer, the active
 *       segment's writer and tail (sizeBytes, nextOffset, sparse index) and epoch changes. Under it
 *       an append does its framing and one write; rarely also a roll or an epoch-file write.
 *   <li><b>The sync token</b> ({@link GroupCommit}): its holder alone fsyncs or replaces the active
 *       segment's writer and advances durableEndOffset: the group-commit leader, the INTERVAL
 *       flusher, a roll, a truncation, close.
 *   <li><b>structureLock</b>: readers hold it shared; dropping or closing segments and moving the
 *       start hold it exclusively. Appends do not take it: readers see only records below the
 *       volatile endOffset, and the sparse index publishes entries without locks.
 *   <li>Lock order: appendLock, then the sync token, then structureLock. The flusher thread (INTERVAL
 *       only) takes only the sync token.
 * </ul>
 */
public final class PartitionLog implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    /** Frames are gathered here and written with one call; bigger writes go out in pieces of this size. */
    private static final int WRITE_BUFFER_BYTES = 128 << 10;
    /** A batch is one write into one segment; this keeps segment positions inside an int. */
    private static final long MAX_BATCH_BYTES = 1L << 30;

    private final StorageFs fs;
    private final Path dir;
    private final LogConfig config;
    private final LogMetrics metrics;
    private final Path epochPath;
    private final Path startPath;
    private final GroupCommit commit;

    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private volatile Segment active;
    private volatile long startOffset;
    private volatile long endOffset;
    private volatile EpochHistory epochs;
    private volatile boolean closed;
    private volatile long bytesWritten;

    private final ReentrantLock appendLock = new ReentrantLock();
    // Guarded by appendLock:
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
    private final byte[] frameHeader = new byte[HEADER_BYTES];
    private final CRC32C crc = new CRC32C();
    private final SingleFrame singleFrame = new SingleFrame();

    private final ReentrantReadWriteLock structureLock = new ReentrantReadWriteLock();

    private final CountDownLatch stopFlusher = new CountDownLatch(1);
    private final Thread flusher;

    // Made once so that an append under ALWAYS allocates nothing to wait for its fsync.
    private final LongSupplier currentEnd = () -> endOffset;
    private final Runnable syncAll = this::syncActiveHoldingToken;

    private PartitionLog(StorageFs fs, Path dir, LogConfig config, LogMetrics metrics, LogRecovery.Recovered r) {
        this.fs = fs;
        this.dir = dir;
        this.config = config;
        this.metrics = metrics;
        this.epochPath = dir.resolve(CheckpointFiles.EPOCH_FILE);
        this.startPath = dir.resolve(CheckpointFiles.START_FILE);
        this.commit = new GroupCommit(dir.toString(), r.endOffset());
        this.segments.putAll(r.segments());
        this.active = r.segments().lastEntry().getValue();
        this.startOffset = r.startOffset();
        this.endOffset = r.endOffset();
        this.epochs = r.epochs();
        metrics.segments(segments.size());
        if (config.fsyncPolicy() == FsyncPolicy.INTERVAL) {
            flusher = new Thread(this::flushLoop, "strata-log-fsync-" + dir.getFileName());
            flusher.setDaemon(true);
            flusher.start();
        } else {
            flusher = null;
        }
    }

    /**
     * Opens the log in dir, creating it if absent, and recovers it after a crash: a torn tail of the
     * last segment is cut off; damage anywhere else fails the open with a CorruptionException naming
     * the file and byte; an I/O error fails the open with IO_ERROR before anything is repaired.
     *
     * @param metrics may be null
     */
    public static PartitionLog open(StorageFs fs, Path dir, LogConfig config, MetricRegistry metrics) {
        return open(fs, dir, config, metrics, null);
    }

    /**
     * As above; with a metricPrefix the log also times its own fsyncs under
     * {@code <metricPrefix>.log.fsync} (the node-wide {@code log.*} metrics sum every log).
     */
    public static PartitionLog open(StorageFs fs, Path dir, LogConfig config, MetricRegistry metrics,
                                    String metricPrefix) {
        if (fs == null || dir == null || config == null) {
            throw invalid("fs, dir and config are required");
        }
        LogRecovery.Recovered r;
        try {
            r = LogRecovery.recover(fs, dir);
        } catch (IOException e) {
            throw StorageException.io("opening partition log " + dir + " failed (nothing was cut off)", e);
        }
        LOG.info("opened partition log {}: offsets {}..{}, {} segments, epochs {}", dir, r.startOffset(),
                r.endOffset(), r.segments().size(), r.epochs());
        return new PartitionLog(fs, dir, config, new LogMetrics(metrics, metricPrefix), r);
    }

    /**
     * Prepares dir (which must hold no segment) as an empty log that starts at startOffset, with
     * epoch recorded as starting there: what a replica that installed a snapshot of a tree holding
     * every record below startOffset, the last of them written in epoch, opens next. Both small files
     * are written atomically and durably; the first segment is created by the next open.
     *
     * @param epoch the epoch of the record at startOffset - 1, or -1 for none (no epoch file)
     */
    public static void createEmpty(StorageFs fs, Path dir, long startOffset, long epoch) {
        if (startOffset < 0) {
            throw invalid("startOffset must be ≥ 0: " + startOffset);
        }
        try {
            fs.createDirectories(dir);
            for (String name : fs.list(dir)) {
                if (Segment.parseBaseOffset(name) >= 0) {
                    throw invalid("log directory " + dir + " already holds segment " + name);
                }
            }
            CheckpointFiles.writeAtomically(fs, dir.resolve(CheckpointFiles.START_FILE),
                    CheckpointFiles.encodeStart(startOffset));
            if (epoch >= 0) {
                CheckpointFiles.writeAtomically(fs, dir.resolve(CheckpointFiles.EPOCH_FILE),
                        CheckpointFiles.encodeEpochs(new EpochHistory(List.of(new EpochEntry(epoch, startOffset)))));
            }
            fs.syncDir(dir);
        } catch (IOException e) {
            throw StorageException.io("preparing an empty log at offset " + startOffset + " in " + dir, e);
        }
    }

    // ------------------------------------------------------------------------------------ appends

    /** The frames of one write: an epoch and a payload for each. */
    private interface Frames {
        int count();

        long epoch(int i);

        byte[] payload(int i);
    }

    /** The one frame of a single append, reused under appendLock so an append allocates nothing. */
    private static final class SingleFrame implements Frames {
        long epoch;
        byte[] payload;

        @Override
        public int count() {
            return 1;
        }

        @Override
        public long epoch(int i) {
            return epoch;
        }

        @Override
        public byte[] payload(int i) {
            return payload;
        }
    }

    /**
     * Leader append: writes payload at the next offset with the given leader epoch and returns the
     * offset. Returns once the bytes are with the OS, and under ALWAYS once they are fsynced.
     *
     * @throws StorageException STALE_EPOCH if epoch is older than the newest in the log;
     *                          RECORD_TOO_LARGE; DISK_FULL (nothing written, log usable); LOG_FAILED
     */
    public long append(long epoch, byte[] payload) {
        checkEpochArgument(epoch);
        checkPayload(payload);
        int frameBytes = HEADER_BYTES + payload.length;
        long offset;
        appendLock.lock();
        try {
            checkWritable();
            checkNotStale(epoch);
            offset = endOffset;
            singleFrame.epoch = epoch;
            singleFrame.payload = payload;
            try {
                writeFrames(offset, singleFrame, frameBytes, newEpochOrNull(epoch, offset));
            } finally {
                singleFrame.payload = null;
            }
        } finally {
            appendLock.unlock();
        }
        metrics.appended(1, frameBytes);
        if (config.fsyncPolicy() == FsyncPolicy.ALWAYS) {
            makeDurable(offset);
        }
        return offset;
    }

    /** Appends the payloads with one write (and under ALWAYS one fsync); returns the last offset. */
    public long appendBatch(long epoch, List<byte[]> payloads) {
        checkEpochArgument(epoch);
        if (payloads == null || payloads.isEmpty()) {
            throw invalid("a batch needs at least one payload");
        }
        byte[][] ps = payloads.toArray(new byte[0][]); // the caller's list cannot change under us
        long total = 0;
        for (byte[] p : ps) {
            checkPayload(p);
            total += HEADER_BYTES + p.length;
        }
        checkBatchBytes(total);
        Frames frames = new Frames() {
            @Override
            public int count() {
                return ps.length;
            }

            @Override
            public long epoch(int i) {
                return epoch;
            }

            @Override
            public byte[] payload(int i) {
                return ps[i];
            }
        };
        long first;
        appendLock.lock();
        try {
            checkWritable();
            checkNotStale(epoch);
            first = endOffset;
            writeFrames(first, frames, total, newEpochOrNull(epoch, first));
        } finally {
            appendLock.unlock();
        }
        metrics.appended(ps.length, total);
        long last = first + ps.length - 1;
        if (config.fsyncPolicy() == FsyncPolicy.ALWAYS) {
            makeDurable(last);
        }
        return last;
    }

    /**
     * Follower append of records copied from the leader. They must start exactly at endOffset(), be
     * contiguous, and have non-decreasing epochs no older than latestEpoch(); new epochs are recorded
     * in the epoch file first. Same durability as append. An empty list does nothing.
     *
     * @throws StorageException OFFSET_OUT_OF_RANGE if they do not start at endOffset();
     *                          INVALID_ARGUMENT if they are not contiguous or go back in epoch;
     *                          STALE_EPOCH if the first is older than latestEpoch()
     */
    public void appendReplicated(List<LogRecord> records) {
        if (records == null) {
            throw invalid("records is null");
        }
        if (records.isEmpty()) {
            return;
        }
        LogRecord[] rs = records.toArray(new LogRecord[0]);
        long total = 0;
        for (int i = 0; i < rs.length; i++) {
            LogRecord r = rs[i];
            if (r == null) {
                throw invalid("record " + i + " of the batch is null");
            }
            checkEpochArgument(r.epoch());
            checkPayload(r.payload());
            if (i > 0) {
                LogRecord prev = rs[i - 1];
                if (r.offset() != prev.offset() + 1) {
                    throw invalid("replicated records are not contiguous: offset " + r.offset() + " follows "
                            + prev.offset() + " (record " + i + " of the batch)");
                }
                if (r.epoch() < prev.epoch()) {
                    throw invalid("replicated records go back in epoch: " + r.epoch() + " at offset " + r.offset()
                            + " follows " + prev.epoch());
                }
            }
            total += HEADER_BYTES + r.payload().length;
        }
        checkBatchBytes(total);
        Frames frames = new Frames() {
            @Override
            public int count() {
                return rs.length;
            }

            @Override
            public long epoch(int i) {
                return rs[i].epoch();
            }

            @Override
            public byte[] payload(int i) {
                return rs[i].payload();
            }
        };
        long first = rs[0].offset();
        long last = rs[rs.length - 1].offset();
        appendLock.lock();
        try {
            checkWritable();
            if (first != endOffset) {
                throw new StorageException(StorageErrorCode.OFFSET_OUT_OF_RANGE, "replicated records start at offset "
                        + first + " but log " + dir + " ends at " + endOffset
                        + ": a follower appends exactly at its end (truncate a divergent suffix first)");
            }
            checkNotStale(rs[0].epoch());
            EpochHistory next = epochs;
            for (LogRecord r : rs) {
                if (r.epoch() > next.latestEpoch()) {
                    next = next.withNewEpoch(r.epoch(), r.offset());
                }
            }
            writeFrames(first, frames, total, next == epochs ? null : next);
        } finally {
            appendLock.unlock();
        }
        metrics.appended(rs.length, total);
        if (config.fsyncPolicy() == FsyncPolicy.ALWAYS) {
            makeDurable(last);
        }
    }

    private EpochHistory newEpochOrNull(long epoch, long offset) {
        return epoch > epochs.latestEpoch() ? epochs.withNewEpoch(epoch, offset) : null;
    }

    /**
     * Under appendLock: rolls if the write would overfill the active segment, records new epochs
     * durably, writes the frames for offsets first.. with one write (bigger than the buffer: a few),
     * indexes them and publishes them to readers.
     */
    private void writeFrames(long first, Frames frames, long totalBytes, EpochHistory newEpochs) {
        Segment seg = active;
        if (seg.sizeBytes > 0 && seg.sizeBytes + totalBytes > config.segmentBytes()) {
            roll(seg);
            seg = active;
        }
        if (newEpochs != null) {
            try {
                CheckpointFiles.writeAtomically(fs, epochPath, CheckpointFiles.encodeEpochs(newEpochs));
            } catch (CheckpointFiles.WriteFailure e) {
                throw checkpointFailed("the epoch file " + epochPath, e);
            }
            epochs = newEpochs;
            LOG.info("log {}: epoch {} starts at offset {}", dir, newEpochs.latestEpoch(), first);
        }
        int n = frames.count();
        long startSize = seg.sizeBytes;
        try {
            writeBuffer.clear();
            for (int i = 0; i < n; i++) {
                byte[] payload = frames.payload(i);
                RecordFrame.encodeHeader(frameHeader, crc, first + i, frames.epoch(i), payload);
                put(seg, frameHeader, HEADER_BYTES);
                put(seg, payload, payload.length);
            }
            flushWriteBuffer(seg);
        } catch (IOException e) {
            throw writeFailed(seg, startSize, first, e);
        }
        long pos = startSize;
        for (int i = 0; i < n; i++) {
            seg.index.maybeAdd(seg.relative(first + i), (int) pos);
            pos += HEADER_BYTES + frames.payload(i).length;
        }
        seg.sizeBytes = pos;
        seg.nextOffset = first + n;
        bytesWritten += totalBytes;
        endOffset = first + n; // last: a reader that sees it sees the sizes above
    }

    private void put(Segment seg, byte[] src, int len) throws IOException {
        int off = 0;
        while (len > 0) {
            if (!writeBuffer.hasRemaining()) {
                flushWriteBuffer(seg);
            }
            int n = Math.min(len, writeBuffer.remaining());
            writeBuffer.put(src, off, n);
            off += n;
            len -= n;
        }
    }

    private void flushWriteBuffer(Segment seg) throws IOException {
        writeBuffer.flip();
        if (writeBuffer.hasRemaining()) {
            seg.writer.append(writeBuffer);
        }
        writeBuffer.clear();
    }

    /**
     * A failed write. On a full disk, cut the partial frame off so the segment ends on a whole record
     * again; if that works the log stays usable (DISK_FULL), otherwise it fails (LOG_FAILED).
     */
    private StorageException writeFailed(Segment seg, long startSize, long offset, IOException e) {
        StorageException mapped = StorageException.io("appending offset " + offset + " to " + seg.path, e);
        if (mapped.code() == StorageErrorCode.DISK_FULL) {
            try {
                seg.writer.truncate(startSize);
                LOG.warn("log {}: disk full appending offset {}; cut {} back to {} bytes, log stays usable", dir, offset,
                        seg.path.getFileName(), startSize);
                return new StorageException(StorageErrorCode.DISK_FULL, "no space left appending offset " + offset
                        + " to " + seg.path + "; nothing was written and the log stays usable", e);
            } catch (IOException t) {
                e.addSuppressed(t);
                return commit.fail("disk full appending offset " + offset + " to " + seg.path
                        + " and the partial write could not be cut off", e);
            }
        }
        return commit.fail("write of offset " + offset + " to " + seg.path + " failed", e);
    }

    /** A checkpoint write that failed: DISK_FULL if nothing changed, else the log fails. */
    private StorageException checkpointFailed(String what, CheckpointFiles.WriteFailure e) {
        if (!e.targetMayHaveChanged && e.getCause() instanceof IOException io
                && StorageException.io(what, io).code() == StorageErrorCode.DISK_FULL) {
            return new StorageException(StorageErrorCode.DISK_FULL, "no space left writing " + what
                    + "; nothing changed and the log stays usable", e);
        }
        return commit.fail("writing " + what + " failed", e);
    }

    /**
     * Under appendLock: fsyncs the full segment whatever the policy (so only the last segment can ever
     * have a torn tail), then creates the next one and makes its directory entry durable before any
     * record goes into it.
     */
    private void roll(Segment old) {
        commit.acquire();
        try {
            commit.throwIfFailed();
            syncActiveHoldingToken();
            long base = endOffset;
            Path path = dir.resolve(Segment.fileName(base));
            WritableFile w = null;
            ReadableFile r = null;
            try {
                w = fs.create(path);
                r = fs.openRead(path);
            } catch (IOException e) {
                closeQuietly(w);
                closeQuietly(r);
                try {
                    fs.delete(path);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw StorageException.io("creating segment " + path + " (the log stays on "
                        + old.path.getFileName() + ")", e);
            }
            try {
                fs.syncDir(dir);
            } catch (IOException e) {
                closeQuietly(w);
                closeQuietly(r);
                throw commit.fail("fsync of directory " + dir + " after creating " + path.getFileName(), e);
            }
            Segment next = new Segment(base, path, r);
            next.writer = w;
            segments.put(base, next);
            active = next;
            old.closeWriter();
            metrics.segments(1);
            LOG.debug("log {}: rolled to segment {}", dir, path.getFileName());
        } finally {
            commit.release();
        }
    }

    // ------------------------------------------------------------------------------------ durability

    /** Every offset below this is fsynced. */
    public long durableEndOffset() {
        return commit.durableEnd();
    }

    /**
     * Blocks until offset is durable, fsyncing if needed (for INTERVAL or NEVER callers that need one
     * record durable now). Concurrent callers share fsyncs.
     *
     * @throws StorageException OFFSET_OUT_OF_RANGE if offset ≥ endOffset(); LOG_FAILED; CLOSED
     */
    public void awaitDurable(long offset) {
        if (offset < 0) {
            throw invalid("offset must be ≥ 0: " + offset);
        }
        if (offset < commit.durableEnd()) {
            return;
        }
        if (offset >= endOffset) {
            throw new StorageException(StorageErrorCode.OFFSET_OUT_OF_RANGE, "offset " + offset
                    + " is not in log " + dir + " (end " + endOffset + ")");
        }
        makeDurable(offset);
    }

    /** Makes everything appended so far durable. */
    public void sync() {
        ensureOpen();
        commit.throwIfFailed();
        long end = endOffset;
        if (end > commit.durableEnd()) {
            makeDurable(end - 1);
        }
    }

    private void makeDurable(long offset) {
        commit.awaitDurable(offset, currentEnd, syncAll);
    }

    /** Holding the sync token: fsyncs the active segment up to the current end. */
    private void syncActiveHoldingToken() {
        long target = endOffset; // before reading active: records below it are in active or in synced segments
        Segment seg = active;
        if (target <= commit.durableEnd()) {
            return;
        }
        WritableFile w = seg.writer;
        if (w == null) {
            throw commit.closedError(); // only after kill(): close() holds the token while it closes files
        }
        long t0 = System.nanoTime();
        try {
            w.sync();
        } catch (IOException e) {
            throw commit.fail("fsync of " + seg.path + " failed", e);
        }
        metrics.fsync(System.nanoTime() - t0);
        commit.setDurableEnd(target);
    }

    private void flushLoop() {
        long nanos = config.fsyncInterval().toNanos();
        try {
            while (!stopFlusher.await(nanos, TimeUnit.NANOSECONDS)) {
                if (commit.failed()) {
                    return;
                }
                long end = endOffset;
                if (end > commit.durableEnd()) {
                    try {
                        makeDurable(end - 1);
                    } catch (StorageException e) {
                        return; // failed (GroupCommit logged it; appends now say LOG_FAILED) or closed
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------ reads

    /**
     * Records from fromOffset on, in offset order, whose frames (24 bytes + payload each) add up to
     * at most maxBytes; always at least one record if fromOffset &lt; endOffset(), however large.
     * Empty if fromOffset == endOffset(). Checksums are verified. Works on a failed log too.
     *
     * @throws StorageException OFFSET_OUT_OF_RANGE if fromOffset is below startOffset() or above
     *                          endOffset(); CORRUPTION; IO_ERROR
     */
    public List<LogRecord> read(long fromOffset, int maxBytes) {
        if (maxBytes < 0) {
            throw invalid("maxBytes must be ≥ 0: " + maxBytes);
        }
        structureLock.readLock().lock();
        try {
            ensureOpen();
            long end = endOffset;
            long start = startOffset;
            if (fromOffset < start || fromOffset > end) {
                throw new StorageException(StorageErrorCode.OFFSET_OUT_OF_RANGE, "offset " + fromOffset
                        + " is outside log " + dir + " [" + start + ", " + end + "]");
            }
            List<LogRecord> out = new ArrayList<>();
            SegmentReads.Progress progress = new SegmentReads.Progress(fromOffset);
            Map.Entry<Long, Segment> e = segments.floorEntry(fromOffset);
            while (progress.offset < end && !progress.budgetSpent && e != null) {
                SegmentReads.read(e.getValue(), end, maxBytes, progress, out);
                e = segments.higherEntry(e.getKey());
            }
            return out;
        } catch (IOException e) {
            throw StorageException.io("reading log " + dir + " from offset " + fromOffset, e);
        } finally {
            structureLock.readLock().unlock();
        }
    }

    /** The first offset still in the log. */
    public long startOffset() {
        return startOffset;
    }

    /** The offset the next append gets. */
    public long endOffset() {
        return endOffset;
    }

    /** The newest epoch in the log, or -1. */
    public long latestEpoch() {
        return epochs.latestEpoch();
    }

    /** The epochs and their start offsets, oldest first. */
    public List<EpochEntry> epochs() {
        return epochs.entries();
    }

    /**
     * Kafka's OffsetsForLeaderEpoch: for the largest known epoch ≤ requestedEpoch, that epoch and its
     * end offset (the start of the next epoch, or endOffset() for the latest); (-1, -1) if
     * requestedEpoch is below every known epoch.
     */
    public EpochEntry endOffsetForEpoch(long requestedEpoch) {
        structureLock.readLock().lock();
        try {
            return epochs.endOffsetFor(requestedEpoch, endOffset);
        } finally {
            structureLock.readLock().unlock();
        }
    }

    /** Bytes in all segment files (including records below startOffset in the first one). */
    public long sizeInBytes() {
        long n = 0;
        for (Segment s : segments.values()) {
            n += s.sizeBytes;
        }
        return n;
    }

    /** Record frame bytes appended since open (for write amplification); checkpoint files not counted. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Number of segment files. */
    public int segmentCount() {
        return segments.size();
    }

    /** Whether an fsync or write failure has put the log in the failed state. */
    public boolean failed() {
        return commit.failed();
    }

    // ------------------------------------------------------------------------------------ truncation

    /**
     * Drops every record with offset ≥ newEndOffset (a divergent suffix after failover) and the epoch
     * entries starting there or later; durable before it returns. Newer segments are deleted newest
     * first, each deletion durable, so a crash midway leaves a prefix of the old log. Nothing to do
     * if newEndOffset ≥ endOffset().
     *
     * @throws StorageException OFFSET_OUT_OF_RANGE if newEndOffset &lt; startOffset()
     */
    public void truncateSuffix(long newEndOffset) {
        if (newEndOffset < 0) {
            throw invalid("newEndOffset must be ≥ 0: " + newEndOffset);
        }
        appendLock.lock();
        try {
            checkWritable();
            if (newEndOffset >= endOffset) {
                return;
            }
            if (newEndOffset < startOffset) {
                throw new StorageException(StorageErrorCode.OFFSET_OUT_OF_RANGE, "cannot truncate log " + dir
                        + " to " + newEndOffset + ", below its start " + startOffset);
            }
            long oldEnd = endOffset;
            EpochHistory oldEpochs = epochs;
            EpochHistory next = oldEpochs.truncateFrom(newEndOffset);
            commit.acquire();
            try {
                commit.throwIfFailed();
                structureLock.writeLock().lock();
                try {
                    cutSuffix(newEndOffset);
                    epochs = next;
                } finally {
                    structureLock.writeLock().unlock();
                }
            } finally {
                commit.release();
            }
            if (!next.equals(oldEpochs)) {
                try {
                    CheckpointFiles.writeAtomically(fs, epochPath, CheckpointFiles.encodeEpochs(next));
                } catch (CheckpointFiles.WriteFailure e) {
                    throw commit.fail("writing " + epochPath + " after truncating to " + newEndOffset, e);
                }
            }
            LOG.info("log {}: truncated offsets {}..{}, epochs now {}", dir, newEndOffset, oldEnd, next);
        } finally {
            appendLock.unlock();
        }
    }

    /** Holding appendLock, the sync token and structureLock exclusively. */
    private void cutSuffix(long newEnd) {
        Segment target = segments.floorEntry(newEnd).getValue();
        try {
            long pos = SegmentReads.positionOf(target, newEnd);
            // Newest first, each deletion durable before the next, so no crash leaves a hole.
            for (Segment s : new ArrayList<>(segments.tailMap(target.baseOffset, false).descendingMap().values())) {
                s.closeAll();
                segments.remove(s.baseOffset);
                metrics.segments(-1);
                fs.delete(s.path);
                fs.syncDir(dir);
            }
            active = target;
            if (target.writer == null) {
                target.writer = fs.openAppend(target.path);
            }
            target.writer.truncate(pos);
            target.writer.sync();
            target.index.truncate(target.relative(newEnd));
            target.sizeBytes = pos;
            target.nextOffset = newEnd;
            endOffset = newEnd;
            commit.setDurableEnd(newEnd); // the fsync above covered the whole remaining segment
        } catch (IOException e) {
            throw commit.fail("truncating to offset " + newEnd, e);
        }
    }

    /**
     * Makes records below newStartOffset unreadable and deletes the segments wholly below it. The new
     * start is durable (and so is every record below it, so a crash cannot leave the start past the
     * end) before any segment is deleted. Nothing to do if newStartOffset ≤ startOffset().
     *
     * @throws StorageException OFFSET_OUT_OF_RANGE if newStartOffset &gt; endOffset()
     */
    public void truncatePrefix(long newStartOffset) {
        if (newStartOffset < 0) {
            throw invalid("newStartOffset must be ≥ 0: " + newStartOffset);
        }
        appendLock.lock();
        try {
            checkWritable();
            if (newStartOffset <= startOffset) {
                return;
            }
            if (newStartOffset > endOffset) {
                throw new StorageException(StorageErrorCode.OFFSET_OUT_OF_RANGE, "cannot move the start of log " + dir
                        + " to " + newStartOffset + ", past its end " + endOffset);
            }
            makeDurable(newStartOffset - 1);
            try {
                CheckpointFiles.writeAtomically(fs, startPath, CheckpointFiles.encodeStart(newStartOffset));
            } catch (CheckpointFiles.WriteFailure e) {
                throw checkpointFailed("the log start file " + startPath, e);
            }
            EpochHistory oldEpochs = epochs;
            EpochHistory clamped = oldEpochs.clampToStart(newStartOffset);
            List<Segment> doomed = new ArrayList<>();
            structureLock.writeLock().lock();
            try {
                startOffset = newStartOffset;
                epochs = clamped;
                for (Map.Entry<Long, Segment> e : segments.entrySet()) {
                    Map.Entry<Long, Segment> next = segments.higherEntry(e.getKey());
                    if (next == null || next.getKey() > newStartOffset) {
                        break;
                    }
                    doomed.add(e.getValue());
                }
                for (Segment s : doomed) {
                    segments.remove(s.baseOffset);
                    s.closeAll();
                }
            } finally {
                structureLock.writeLock().unlock();
            }
            metrics.segments(-doomed.size());
            deleteSegmentsBelowStart(doomed);
            if (!clamped.equals(oldEpochs)) {
                try {
                    CheckpointFiles.writeAtomically(fs, epochPath, CheckpointFiles.encodeEpochs(clamped));
                } catch (CheckpointFiles.WriteFailure e) {
                    // Harmless: the open clamps the epochs to the durable start again.
                    LOG.warn("log {}: could not rewrite {} after moving the start to {}", dir, epochPath, newStartOffset, e);
                }
            }
            LOG.info("log {}: start moved to {}, {} segments deleted", dir, newStartOffset, doomed.size());
        } finally {
            appendLock.unlock();
        }
    }

    private void deleteSegmentsBelowStart(List<Segment> doomed) {
        if (doomed.isEmpty()) {
            return;
        }
        for (Segment s : doomed) {
            try {
                fs.delete(s.path);
            } catch (IOException e) {
                // The start is durable: the next open deletes it.
                LOG.warn("log {}: could not delete {} below the log start; the next open will", dir, s.path, e);
            }
        }
        try {
            fs.syncDir(dir);
        } catch (IOException e) {
            throw commit.fail("fsync of directory " + dir + " after deleting segments", e);
        }
    }

    // ------------------------------------------------------------------------------------ lifecycle

    /**
     * Stops the flusher, fsyncs what was appended (unless the log failed), and closes the files.
     * Appenders waiting for durability are answered by that final fsync.
     *
     * @throws StorageException LOG_FAILED if the final fsync fails (the files are closed anyway)
     */
    @Override
    public void close() {
        // The flusher stops first: it must not be left waiting for the final fsync that this thread,
        // joining it, would never get to.
        stopFlusher();
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            appendLock.unlock();
        }
        commit.closing();
        StorageException error = null;
        commit.acquire();
        try {
            if (!commit.failed()) {
                try {
                    syncActiveHoldingToken();
                } catch (StorageException e) {
                    error = e;
                }
            }
            closeFiles();
        } finally {
            commit.closed();
            commit.release();
        }
        LOG.info("closed partition log {} at end offset {}", dir, endOffset);
        if (error != null) {
            throw error;
        }
    }

    /** Test hook: the process dies. No fsync; threads stop and handles close. */
    void kill() {
        appendLock.lock();
        try {
            closed = true;
        } finally {
            appendLock.unlock();
        }
        commit.closed(); // no final fsync will come: waiters give up with CLOSED
        stopFlusher();
        closeFiles();
    }

    private void closeFiles() {
        structureLock.writeLock().lock();
        try {
            int n = segments.size();
            segments.values().forEach(Segment::closeAll);
            metrics.segments(-n);
        } finally {
            structureLock.writeLock().unlock();
        }
    }

    private void stopFlusher() {
        stopFlusher.countDown();
        if (flusher != null && flusher != Thread.currentThread()) {
            boolean interrupted = false;
            while (flusher.isAlive()) {
                try {
                    flusher.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "PartitionLog[" + dir + ", offsets " + startOffset + ".." + endOffset + ", durable "
                + commit.durableEnd() + ", epoch " + latestEpoch() + (failed() ? ", FAILED" : "")
                + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------------------------ checks

    private void checkWritable() {
        ensureOpen();
        commit.throwIfFailed();
    }

    private void ensureOpen() {
        if (closed) {
            throw commit.closedError();
        }
    }

    private void checkNotStale(long epoch) {
        long latest = epochs.latestEpoch();
        if (epoch < latest) {
            throw new StorageException(StorageErrorCode.STALE_EPOCH, "epoch " + epoch + " is older than epoch "
                    + latest + " already in log " + dir + " (end offset " + endOffset + ")");
        }
    }

    private static void checkEpochArgument(long epoch) {
        if (epoch < 0) {
            throw invalid("epoch must be ≥ 0: " + epoch);
        }
    }

    private void checkPayload(byte[] payload) {
        if (payload == null) {
            throw invalid("payload is null");
        }
        if (payload.length > config.maxRecordBytes()) {
            throw new StorageException(StorageErrorCode.RECORD_TOO_LARGE, "record of " + payload.length
                    + " bytes exceeds maxRecordBytes " + config.maxRecordBytes() + " of log " + dir);
        }
    }

    private static void checkBatchBytes(long total) {
        if (total > MAX_BATCH_BYTES) {
            throw new StorageException(StorageErrorCode.RECORD_TOO_LARGE, "batch of " + total
                    + " bytes exceeds the " + MAX_BATCH_BYTES + "-byte limit of one write");
        }
    }

    private static StorageException invalid(String message) {
        return new StorageException(StorageErrorCode.INVALID_ARGUMENT, message);
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // best effort on an error path
            }
        }
    }
}
