package io.stratakv.storage.log;

import io.stratakv.storage.fs.ReadableFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads frames from a segment file with a read-ahead buffer, so a scan costs one positional read
 * per buffer rather than two per record. Frames that fit the buffer are decoded in place by
 * {@link RecordFrame#decode}; larger ones are checksummed in buffer-sized pieces, so a scan never
 * allocates for a length field it has not verified.
 *
 * <p>Not thread-safe: one cursor per read call or recovery scan.
 */
final class FrameCursor {

    private final ReadableFile file;
    private final long limit;
    private final int maxPayloadBytes;
    private final byte[] buf;
    private long bufPos;
    private int bufLen;
    private byte[] payload;

    final RecordFrame.Header header = new RecordFrame.Header();

    /**
     * @param limit           bytes of the file that may be read (its size, or the bytes known written)
     * @param maxPayloadBytes lengths above this are BAD_LENGTH
     * @param bufferBytes     read-ahead size, at least one header
     */
    FrameCursor(ReadableFile file, long limit, int maxPayloadBytes, int bufferBytes) {
        this.file = file;
        this.limit = limit;
        this.maxPayloadBytes = maxPayloadBytes;
        this.buf = new byte[Math.max(bufferBytes, RecordFrame.HEADER_BYTES)];
    }

    long limit() {
        return limit;
    }

    /** Reads only the header at pos into {@link #header}; false if fewer than 24 bytes remain. */
    boolean peekHeader(long pos) throws IOException {
        header.clear();
        if (limit - pos < RecordFrame.HEADER_BYTES) {
            return false;
        }
        int i = fill(pos, RecordFrame.HEADER_BYTES);
        RecordFrame.parseHeader(buf, i, header);
        return true;
    }

    /**
     * Reads and checks the frame at pos. With copyPayload, a COMPLETE frame's payload is then
     * available from {@link #payload()}.
     */
    RecordFrame.Status next(long pos, boolean copyPayload) throws IOException {
        payload = null;
        long remaining = limit - pos;
        if (remaining < RecordFrame.HEADER_BYTES) {
            header.clear();
            return RecordFrame.Status.INCOMPLETE;
        }
        int want = (int) Math.min(remaining, buf.length);
        int i = fill(pos, RecordFrame.HEADER_BYTES);
        RecordFrame.Status s = RecordFrame.decode(buf, i, Math.min(bufLen - i, want), maxPayloadBytes, header);
        if (s == RecordFrame.Status.INCOMPLETE && header.payloadLength >= 0
                && header.frameBytes() <= remaining) {
            // The frame is in the file but not (all) in the buffer.
            if (header.frameBytes() <= buf.length) {
                i = fill(pos, header.frameBytes());
                s = RecordFrame.decode(buf, i, header.frameBytes(), maxPayloadBytes, header);
            } else {
                s = checkLargeFrame(pos, copyPayload);
                return s;
            }
        }
        if (s == RecordFrame.Status.COMPLETE && copyPayload) {
            int start = i + RecordFrame.HEADER_BYTES;
            payload = Arrays.copyOfRange(buf, start, start + header.payloadLength);
        }
        return s;
    }

    /** The payload of the last frame read by next(pos, true) that was COMPLETE. */
    byte[] payload() {
        return payload;
    }

    private RecordFrame.Status checkLargeFrame(long pos, boolean copyPayload) throws IOException {
        // The header is in the buffer at its start (fill put it there) and already parsed.
        int i = fill(pos, RecordFrame.HEADER_BYTES);
        RecordFrame.checksumHeader(header.crc, buf, i);
        long from = pos + RecordFrame.HEADER_BYTES;
        int len = header.payloadLength;
        if (copyPayload) {
            // len ≤ maxPayloadBytes and the bytes exist in the file: the allocation is bounded.
            byte[] p = new byte[len];
            file.readFully(ByteBuffer.wrap(p), from);
            header.crc.update(p, 0, len);
            payload = p;
        } else {
            for (long at = from; at < from + len; ) {
                int n = (int) Math.min(buf.length, from + len - at);
                int j = fill(at, n);
                header.crc.update(buf, j, n);
                at += n;
            }
        }
        if ((int) header.crc.getValue() != header.storedCrc) {
            payload = null;
            return RecordFrame.Status.BAD_CHECKSUM;
        }
        return RecordFrame.Status.COMPLETE;
    }

    /** Makes [pos, pos+n) available in buf (n ≤ buf.length, pos+n ≤ limit); returns its index. */
    private int fill(long pos, int n) throws IOException {
        if (pos >= bufPos && pos + n <= bufPos + bufLen) {
            return (int) (pos - bufPos);
        }
        int keep = 0;
        if (pos >= bufPos && pos < bufPos + bufLen) {
            keep = (int) (bufPos + bufLen - pos);
            System.arraycopy(buf, (int) (pos - bufPos), buf, 0, keep);
        }
        long from = pos + keep;
        int want = (int) Math.min(buf.length - keep, limit - from);
        bufPos = pos;
        bufLen = keep;
        file.readFully(ByteBuffer.wrap(buf, keep, want), from);
        bufLen = keep + want;
        if (bufLen < n) {
            throw new IllegalStateException("read past the readable limit: " + (pos + n) + " > " + limit);
        }
        return 0;
    }
}
