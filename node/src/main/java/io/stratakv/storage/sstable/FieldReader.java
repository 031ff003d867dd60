package io.stratakv.storage.sstable;

import io.stratakv.storage.CorruptionException;

/**
 * Bounds-checked reading of varints and byte runs from a slice of a block, for the parts decoded
 * once per table (index values, properties). Every failure is a CorruptionException naming the
 * file and the block's offset in it; nothing is allocated before its length is checked against the
 * bytes that remain.
 */
final class FieldReader {

    private final byte[] data;
    private final int limit;
    private final String fileName;
    private final long blockOffset;
    private final BlockKind kind;
    private int pos;

    FieldReader(byte[] data, int offset, int length, String fileName, long blockOffset, BlockKind kind) {
        this.data = data;
        this.pos = offset;
        this.limit = offset + length;
        this.fileName = fileName;
        this.blockOffset = blockOffset;
        this.kind = kind;
    }

    /** An unsigned varint of at most 9 bytes (so its value fits in 63 bits). */
    long varint64(String what) {
        long v = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            if (pos >= limit) {
                throw corrupt(what + ": varint runs past the end");
            }
            byte b = data[pos++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw corrupt(what + ": varint longer than 9 bytes or above 2^63-1");
    }

    /** An unsigned varint whose value fits in a non-negative int. */
    int varint31(String what) {
        long v = varint64(what);
        if (v > Integer.MAX_VALUE) {
            throw corrupt(what + ": " + v + " is too large");
        }
        return (int) v;
    }

    /** The rest of the slice, copied. */
    byte[] rest() {
        byte[] out = java.util.Arrays.copyOfRange(data, pos, limit);
        pos = limit;
        return out;
    }

    void expectEnd(String what) {
        if (pos != limit) {
            throw corrupt(what + ": " + (limit - pos) + " unexpected trailing bytes");
        }
    }

    CorruptionException corrupt(String what) {
        return new CorruptionException(fileName, blockOffset, kind.label() + " at offset " + blockOffset + ": " + what);
    }
}
