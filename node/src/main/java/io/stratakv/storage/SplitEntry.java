package io.stratakv.storage;

/**
 * What a partition's split entry says (DESIGN.md §5; layout in ENGINE.md, "Split entry"): the two
 * children, the parent's hash range and the point that divides it. Every replica that applies the
 * entry splits its state by these numbers alone, so they agree without asking anyone.
 *
 * <p>Hash positions are unsigned 64-bit values held in longs (as zk-schema's {@code HashRange}):
 * the lower child takes {@code [rangeStart, lowerEnd]}, the upper child {@code [lowerEnd + 1, rangeEnd]}.
 *
 * @param requestedAtMillis when the controller requested the split (from its split plan), for logs
 */
public record SplitEntry(int lowerPartitionId, int upperPartitionId, long rangeStart, long lowerEnd, long rangeEnd,
                         long requestedAtMillis) {

    /** The first byte of the encoding; another value is a format this build does not know. */
    static final int FORMAT = 1;
    static final int BYTES = 1 + 4 + 4 + 8 + 8 + 8 + 8;

    public SplitEntry {
        if (lowerPartitionId < 0 || upperPartitionId < 0 || lowerPartitionId == upperPartitionId) {
            throw new IllegalArgumentException("split children must be two distinct non-negative ids, got "
                    + lowerPartitionId + " and " + upperPartitionId);
        }
        if (Long.compareUnsigned(rangeStart, lowerEnd) > 0 || Long.compareUnsigned(lowerEnd, rangeEnd) >= 0) {
            throw new IllegalArgumentException("split point " + Long.toUnsignedString(lowerEnd, 16)
                    + " must lie in [start, end) of the range [" + Long.toUnsignedString(rangeStart, 16) + ", "
                    + Long.toUnsignedString(rangeEnd, 16) + "]");
        }
    }

    /** Whether the unsigned hash position goes to the lower child (else to the upper one). */
    public boolean toLower(long hash) {
        return Long.compareUnsigned(hash, lowerEnd) <= 0;
    }

    /** Whether the unsigned hash position lies in the parent's range at all. */
    public boolean inParent(long hash) {
        return Long.compareUnsigned(hash, rangeStart) >= 0 && Long.compareUnsigned(hash, rangeEnd) <= 0;
    }

    public byte[] encode() {
        byte[] b = new byte[BYTES];
        b[0] = FORMAT;
        int p = putInt(b, 1, lowerPartitionId);
        p = putInt(b, p, upperPartitionId);
        p = putLong(b, p, rangeStart);
        p = putLong(b, p, lowerEnd);
        p = putLong(b, p, rangeEnd);
        putLong(b, p, requestedAtMillis);
        return b;
    }

    public static SplitEntry decode(byte[] b, String source, long offset) {
        if (b.length != BYTES || b[0] != FORMAT) {
            throw new CorruptionException(source, offset, "a split entry of " + b.length + " bytes, format "
                    + (b.length > 0 ? b[0] : -1) + " (expected " + BYTES + " bytes, format " + FORMAT + ")");
        }
        try {
            return new SplitEntry(getInt(b, 1), getInt(b, 5), getLong(b, 9), getLong(b, 17), getLong(b, 25),
                    getLong(b, 33));
        } catch (IllegalArgumentException e) {
            throw new CorruptionException(source, offset, "bad split entry: " + e.getMessage());
        }
    }

    private static int putInt(byte[] b, int p, int v) {
        for (int i = 3; i >= 0; i--) {
            b[p++] = (byte) (v >>> (8 * i));
        }
        return p;
    }

    private static int putLong(byte[] b, int p, long v) {
        for (int i = 7; i >= 0; i--) {
            b[p++] = (byte) (v >>> (8 * i));
        }
        return p;
    }

    private static int getInt(byte[] b, int p) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (b[p + i] & 0xFF);
        }
        return v;
    }

    private static long getLong(byte[] b, int p) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[p + i] & 0xFF);
        }
        return v;
    }
}
