package io.stratakv.storage.log;

import io.stratakv.storage.Coding;

import java.util.zip.CRC32C;

/**
 * The frame of one record in a segment file (see LOG_FORMAT.md):
 *
 * <pre>
 *   u32 length   payload bytes
 *   u32 crc32c   over the frame without this field: bytes 0..3, then 8..end
 *   u64 offset
 *   u64 epoch    leader epoch that wrote the record
 *   payload
 * </pre>
 *
 * The checksum covers the length, so a damaged length fails the check instead of silently
 * re-framing the rest of the segment. Decoding never trusts a length: it is capped before
 * anything is allocated or read.
 */
final class RecordFrame {

    static final int HEADER_BYTES = 24;
    static final int LENGTH_AT = 0;
    static final int CRC_AT = 4;
    static final int OFFSET_AT = 8;
    static final int EPOCH_AT = 16;

    /** What {@link #decode} found at a position. */
    enum Status {
        /** A whole frame whose checksum matches. */
        COMPLETE,
        /** The bytes end before the header or the payload does (a torn write if at end of file). */
        INCOMPLETE,
        /** The length field is negative or above the cap: not a frame this format writes. */
        BAD_LENGTH,
        /** The frame is all there but its checksum does not match. */
        BAD_CHECKSUM
    }

    /** Decoded header fields, reused across calls (not thread-safe). */
    static final class Header {
        final CRC32C crc = new CRC32C();
        /** -1 when fewer than HEADER_BYTES bytes were available. */
        int payloadLength;
        int storedCrc;
        long offset;
        long epoch;

        int frameBytes() {
            return HEADER_BYTES + payloadLength;
        }

        void clear() {
            payloadLength = -1;
            storedCrc = 0;
            offset = -1;
            epoch = -1;
        }
    }

    private RecordFrame() {
    }

    /** Fills h from the 24 header bytes at off (which must be there); no validation. */
    static void parseHeader(byte[] b, int off, Header h) {
        h.payloadLength = Coding.getInt(b, off + LENGTH_AT);
        h.storedCrc = Coding.getInt(b, off + CRC_AT);
        h.offset = Coding.getLong(b, off + OFFSET_AT);
        h.epoch = Coding.getLong(b, off + EPOCH_AT);
    }

    static boolean lengthValid(int payloadLength, int maxPayloadBytes) {
        return payloadLength >= 0 && payloadLength <= maxPayloadBytes;
    }

    /** Starts the checksum of a frame: the header without its crc field. */
    static void checksumHeader(CRC32C crc, byte[] b, int frameOff) {
        crc.reset();
        crc.update(b, frameOff + LENGTH_AT, 4);
        crc.update(b, frameOff + OFFSET_AT, HEADER_BYTES - OFFSET_AT);
    }

    /**
     * Decodes the frame at b[off] with avail bytes readable from there. Never throws on any
     * content: bad input yields a status. Lengths above maxPayloadBytes are BAD_LENGTH before any
     * payload byte is looked at.
     */
    static Status decode(byte[] b, int off, int avail, int maxPayloadBytes, Header h) {
        h.clear();
        if (avail < HEADER_BYTES) {
            return Status.INCOMPLETE;
        }
        parseHeader(b, off, h);
        if (!lengthValid(h.payloadLength, maxPayloadBytes)) {
            return Status.BAD_LENGTH;
        }
        if (avail - HEADER_BYTES < h.payloadLength) {
            return Status.INCOMPLETE;
        }
        checksumHeader(h.crc, b, off);
        h.crc.update(b, off + HEADER_BYTES, h.payloadLength);
        return (int) h.crc.getValue() == h.storedCrc ? Status.COMPLETE : Status.BAD_CHECKSUM;
    }

    /**
     * Writes a frame header into hdr[0..24) with its checksum computed over header and payload.
     * The caller copies hdr and the payload to the output.
     */
    static void encodeHeader(byte[] hdr, CRC32C crc, long offset, long epoch, byte[] payload) {
        Coding.putInt(hdr, LENGTH_AT, payload.length);
        Coding.putInt(hdr, CRC_AT, 0);
        Coding.putLong(hdr, OFFSET_AT, offset);
        Coding.putLong(hdr, EPOCH_AT, epoch);
        checksumHeader(crc, hdr, 0);
        crc.update(payload, 0, payload.length);
        Coding.putInt(hdr, CRC_AT, (int) crc.getValue());
    }

    static String describe(Status s) {
        return switch (s) {
            case COMPLETE -> "valid record";
            case INCOMPLETE -> "record cut off by end of file";
            case BAD_LENGTH -> "impossible record length";
            case BAD_CHECKSUM -> "record checksum mismatch";
        };
    }
}
