package io.stratakv.storage.log;

import io.stratakv.storage.CorruptionException;

import java.io.IOException;
import java.util.List;

import static io.stratakv.storage.log.RecordFrame.HEADER_BYTES;

/**
 * Finding and reading records inside one segment, starting from its sparse index. Callers hold
 * the log's structure lock (shared for reads), so the segment is neither truncated nor closed
 * meanwhile; they pass the bounds they read from the log (end offset, then segment size).
 */
final class SegmentReads {

    private static final int MAX_READ_BUFFER_BYTES = 1 << 20;
    private static final int POSITION_SCAN_BUFFER_BYTES = 64 << 10;

    private SegmentReads() {
    }

    /** Where a read that stopped stands: the next offset to read and the frame bytes returned so far. */
    static final class Progress {
        long offset;
        long usedBytes;
        boolean budgetSpent;

        Progress(long offset) {
            this.offset = offset;
        }
    }

    /**
     * Appends to out the records of seg from p.offset up to limitOffset (exclusive, the log end the
     * caller read), verifying each checksum, while their frames fit in maxBytes (the first record
     * always goes in).
     */
    static void read(Segment seg, long limitOffset, int maxBytes, Progress p, List<LogRecord> out) throws IOException {
        long end = Math.min(limitOffset, seg.nextOffset);
        long limitBytes = seg.sizeBytes; // read after the caller read the log end: covers every record below it
        if (p.offset >= end) {
            return;
        }
        long packed = seg.index.floor(seg.relative(p.offset));
        long expected = seg.baseOffset + SparseIndex.relativeOffsetOf(packed);
        long pos = SparseIndex.positionOf(packed);
        long wanted = (long) maxBytes + 2L * SparseIndex.INTERVAL_BYTES + HEADER_BYTES;
        int bufferBytes = (int) Math.max(HEADER_BYTES, Math.min(Math.min(wanted, MAX_READ_BUFFER_BYTES), limitBytes - pos));
        FrameCursor cursor = new FrameCursor(seg.reader, limitBytes, LogConfig.MAX_RECORD_BYTES_LIMIT, bufferBytes);
        RecordFrame.Header h = cursor.header;
        while (expected < end) {
            readHeader(seg, cursor, pos, expected);
            int frameBytes = h.frameBytes();
            if (expected >= p.offset) {
                if (!out.isEmpty() && p.usedBytes + frameBytes > maxBytes) {
                    p.budgetSpent = true;
                    break;
                }
                RecordFrame.Status s = cursor.next(pos, true);
                if (s != RecordFrame.Status.COMPLETE || h.offset != expected) {
                    throw new CorruptionException(seg.name(), pos, RecordFrame.describe(s) + " at offset " + expected);
                }
                out.add(new LogRecord(expected, h.epoch, cursor.payload()));
                p.usedBytes += frameBytes;
                p.offset = expected + 1;
            }
            pos += frameBytes;
            expected++;
        }
    }

    /** The byte position of offset's frame in seg (its size if offset is its next offset). */
    static long positionOf(Segment seg, long offset) throws IOException {
        if (offset == seg.nextOffset) {
            return seg.sizeBytes;
        }
        long packed = seg.index.floor(seg.relative(offset));
        long expected = seg.baseOffset + SparseIndex.relativeOffsetOf(packed);
        long pos = SparseIndex.positionOf(packed);
        FrameCursor cursor = new FrameCursor(seg.reader, seg.sizeBytes, LogConfig.MAX_RECORD_BYTES_LIMIT,
                (int) Math.max(HEADER_BYTES, Math.min(POSITION_SCAN_BUFFER_BYTES, seg.sizeBytes - pos)));
        while (expected < offset) {
            readHeader(seg, cursor, pos, expected);
            pos += cursor.header.frameBytes();
            expected++;
        }
        return pos;
    }

    private static void readHeader(Segment seg, FrameCursor cursor, long pos, long expected) throws IOException {
        RecordFrame.Header h = cursor.header;
        if (!cursor.peekHeader(pos) || !RecordFrame.lengthValid(h.payloadLength, LogConfig.MAX_RECORD_BYTES_LIMIT)
                || h.offset != expected) {
            throw new CorruptionException(seg.name(), pos, "bad record header where offset " + expected + " should be");
        }
    }
}
