package io.stratakv.storage;

import java.util.Arrays;

/**
 * A user value with its version: the log offset of the write that last set it. In the tree it is
 * stored as an envelope (ENGINE.md, "Value envelope"): {@code u8 1 | varint version | value bytes}.
 */
public record VersionedValue(long version, byte[] value) {

    /** The envelope's format byte; a different first byte is corruption (or a future format). */
    static final byte ENVELOPE_V1 = 1;

    static byte[] encode(long version, byte[] value) {
        byte[] out = new byte[1 + Coding.varintLength(version) + value.length];
        out[0] = ENVELOPE_V1;
        int p = Coding.putVarint(out, 1, version);
        System.arraycopy(value, 0, out, p, value.length);
        return out;
    }

    /** Decodes a stored envelope (as read from the tree or a checkpoint); null stays null (absent key). */
    public static VersionedValue decode(byte[] stored, String where) {
        if (stored == null) {
            return null;
        }
        if (stored.length < 2 || stored[0] != ENVELOPE_V1) {
            throw new CorruptionException(where, -1, "stored value is not a version-1 value envelope");
        }
        long v = 0;
        int shift = 0;
        int p = 1;
        while (true) {
            if (p >= stored.length || shift > 56) {
                throw new CorruptionException(where, -1, "bad version varint in a stored value envelope");
            }
            byte x = stored[p++];
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                break;
            }
            shift += 7;
        }
        return new VersionedValue(v, Arrays.copyOfRange(stored, p, stored.length));
    }
}
