package io.stratakv.storage.log;

import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.fs.ReadableFile;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.fs.WritableFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

import static io.stratakv.storage.log.RecordFrame.HEADER_BYTES;

/**
 * Opens a log directory: reads the start-offset and epoch files, scans every segment (rebuilding
 * the sparse indexes and checking every checksum), and only when all of that has succeeded repairs
 * what a crash may leave behind: a torn tail on the last segment, orphan temp files, segments below
 * the log start, epoch entries past the end. An I/O error at any step fails the open before anything
 * is cut off (rocksdb #6288). The rules are in LOG_FORMAT.md, "Recovery".
 */
final class LogRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);

    /** Sequential reads at open go in 1 MiB pieces. */
    static final int SCAN_BUFFER_BYTES = 1 << 20;

    /** What a successful open found. The last segment has a writer; every record below endOffset is fsynced. */
    record Recovered(NavigableMap<Long, Segment> segments, long startOffset, long endOffset, EpochHistory epochs) {
    }

    private LogRecovery() {
    }

    static Recovered recover(StorageFs fs, Path dir) throws IOException {
        fs.createDirectories(dir);
        boolean dirChanged = false;
        List<String> names = fs.list(dir);
        List<Long> bases = new ArrayList<>();
        for (String name : names) {
            long base = Segment.parseBaseOffset(name);
            if (base >= 0) {
                bases.add(base);
            } else if (name.endsWith(CheckpointFiles.TEMP_SUFFIX)) {
                // A checkpoint write cut short by a crash; the target still holds the old or new whole file.
                LOG.info("removing orphan temp file {} in {}", name, dir);
                fs.delete(dir.resolve(name));
                dirChanged = true;
            } else if (!name.equals(CheckpointFiles.EPOCH_FILE) && !name.equals(CheckpointFiles.START_FILE)) {
                LOG.warn("ignoring unexpected file {} in log directory {}", name, dir);
            }
        }
        bases.sort(null);

        Path startPath = dir.resolve(CheckpointFiles.START_FILE);
        Path epochPath = dir.resolve(CheckpointFiles.EPOCH_FILE);
        boolean hasStartFile = names.contains(CheckpointFiles.START_FILE);
        long logStart = hasStartFile
                ? CheckpointFiles.decodeStart(startPath.toString(), fs.readAll(startPath))
                : bases.isEmpty() ? 0 : bases.get(0);
        EpochHistory epochs = names.contains(CheckpointFiles.EPOCH_FILE)
                ? CheckpointFiles.decodeEpochs(epochPath.toString(), fs.readAll(epochPath))
                : EpochHistory.EMPTY;

        // Whole segments below the start are what a prefix truncation cut short by a crash left over.
        while (bases.size() >= 2 && bases.get(1) <= logStart) {
            Path p = dir.resolve(Segment.fileName(bases.remove(0)));
            LOG.info("removing segment {} below log start {}", p.getFileName(), logStart);
            fs.delete(p);
            dirChanged = true;
        }
        if (!bases.isEmpty() && bases.get(0) > logStart) {
            throw new CorruptionException(startPath.toString(), 8, "log start offset " + logStart
                    + " is below the first segment " + Segment.fileName(bases.get(0)) + ": records are missing");
        }

        TreeMap<Long, Segment> segments = new TreeMap<>();
        boolean ok = false;
        try {
            long end;
            if (bases.isEmpty()) {
                Path p = dir.resolve(Segment.fileName(logStart));
                WritableFile w = fs.create(p);
                ReadableFile r;
                try {
                    r = fs.openRead(p);
                } catch (IOException e) {
                    w.close();
                    throw e;
                }
                Segment s = new Segment(logStart, p, r);
                s.writer = w;
                segments.put(logStart, s);
                dirChanged = true;
                end = logStart;
            } else {
                long expectedBase = bases.get(0);
                long lastFileSize = 0;
                for (int i = 0; i < bases.size(); i++) {
                    long base = bases.get(i);
                    Path p = dir.resolve(Segment.fileName(base));
                    if (base != expectedBase) {
                        throw new CorruptionException(p.toString(), 0, "segment starts at offset " + base
                                + " but the segment before it ends at offset " + expectedBase);
                    }
                    Segment s = new Segment(base, p, fs.openRead(p));
                    segments.put(base, s);
                    lastFileSize = s.reader.size();
                    scan(s, lastFileSize, i == bases.size() - 1, logStart, epochs);
                    expectedBase = s.nextOffset;
                }
                end = expectedBase;
                if (logStart > end) {
                    throw new CorruptionException(startPath.toString(), 8,
                            "log start offset " + logStart + " is past the end of the log " + end);
                }
                // Every segment checked out: now, and only now, repair the tail.
                Segment last = segments.lastEntry().getValue();
                last.writer = fs.openAppend(last.path);
                if (last.sizeBytes < lastFileSize) {
                    LOG.warn("log {}: cutting a torn tail of {} bytes off {} at byte {} (offset {})", dir,
                            lastFileSize - last.sizeBytes, last.path.getFileName(), last.sizeBytes, last.nextOffset);
                    last.writer.truncate(last.sizeBytes);
                }
                // A restart without a power loss leaves unsynced bytes in the page cache: make them durable
                // so that durableEndOffset() == endOffset() holds from the start.
                last.writer.sync();
            }
            EpochHistory reconciled = epochs.dropBeyond(end).clampToStart(logStart);
            if (!reconciled.equals(epochs)) {
                LOG.info("log {}: epoch history {} becomes {} (end {}, start {})", dir, epochs, reconciled, end, logStart);
                CheckpointFiles.writeAtomically(fs, epochPath, CheckpointFiles.encodeEpochs(reconciled));
            }
            if (dirChanged) {
                fs.syncDir(dir);
            }
            ok = true;
            return new Recovered(segments, logStart, end, reconciled);
        } finally {
            if (!ok) {
                segments.values().forEach(Segment::closeAll);
            }
        }
    }

    /**
     * Scans one segment, filling its sparse index, size and next offset. A damaged frame throws
     * CorruptionException, except at the tail of the last segment, where it ends the scan.
     */
    static void scan(Segment seg, long fileSize, boolean last, long logStart, EpochHistory epochs) throws IOException {
        String name = seg.name();
        if (fileSize > Integer.MAX_VALUE) {
            throw new CorruptionException(name, Integer.MAX_VALUE, "segment of " + fileSize + " bytes is larger than any this log writes");
        }
        int bufferBytes = (int) Math.max(HEADER_BYTES, Math.min(SCAN_BUFFER_BYTES, fileSize));
        FrameCursor cursor = new FrameCursor(seg.reader, fileSize, LogConfig.MAX_RECORD_BYTES_LIMIT, bufferBytes);
        RecordFrame.Header h = cursor.header;
        long pos = 0;
        long expected = seg.baseOffset;
        long prevEpoch = 0;
        while (pos < fileSize) {
            RecordFrame.Status s = cursor.next(pos, false);
            if (s != RecordFrame.Status.COMPLETE) {
                if (!last) {
                    throw new CorruptionException(name, pos, RecordFrame.describe(s) + " at offset " + expected
                            + " in a segment that was fsynced when the next one was created");
                }
                long valid = findValidFrameAfter(cursor, pos, expected);
                if (valid >= 0) {
                    throw new CorruptionException(name, pos, RecordFrame.describe(s) + " at offset " + expected
                            + ", followed by a valid record at byte " + valid + ": damage before the tail, not a torn write");
                }
                break; // torn tail: the log ends at pos
            }
            if (h.offset != expected) {
                throw new CorruptionException(name, pos, "record has offset " + h.offset + ", expected " + expected);
            }
            if (h.epoch < prevEpoch) {
                throw new CorruptionException(name, pos, "record at offset " + expected + " has epoch " + h.epoch
                        + " after epoch " + prevEpoch);
            }
            if (expected >= logStart) {
                long want = epochs.epochAt(expected);
                if (want != h.epoch) {
                    throw new CorruptionException(name, pos, "record at offset " + expected + " has epoch " + h.epoch
                            + " but " + CheckpointFiles.EPOCH_FILE + " gives " + (want < 0 ? "none" : "epoch " + want)
                            + " for that offset");
                }
            }
            seg.index.maybeAdd(seg.relative(expected), (int) pos);
            pos += h.frameBytes();
            expected++;
            prevEpoch = h.epoch;
        }
        seg.sizeBytes = pos;
        seg.nextOffset = expected;
    }

    /**
     * Is there a whole, checksum-valid frame anywhere after a bad one at badPos, with an offset the
     * log could have reached? If so the bad frame is damage inside the log; if not, everything from
     * badPos on is what a torn write leaves (a cut-off frame, zeros, a partly written sector).
     * Returns its position, or -1.
     */
    private static long findValidFrameAfter(FrameCursor cursor, long badPos, long expected) throws IOException {
        long limit = cursor.limit();
        long maxOffset = expected + (limit - badPos) / HEADER_BYTES;
        RecordFrame.Header h = cursor.header;
        for (long q = badPos + 1; q + HEADER_BYTES <= limit; q++) {
            cursor.peekHeader(q);
            if (!RecordFrame.lengthValid(h.payloadLength, LogConfig.MAX_RECORD_BYTES_LIMIT)
                    || q + h.frameBytes() > limit || h.offset < expected || h.offset > maxOffset || h.epoch < 0) {
                continue;
            }
            if (cursor.next(q, false) == RecordFrame.Status.COMPLETE) {
                return q;
            }
        }
        return -1;
    }
}
