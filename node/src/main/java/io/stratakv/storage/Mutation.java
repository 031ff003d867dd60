package io.stratakv.storage;

import java.util.Arrays;

/**
 * A change to one key as it travels inside a log record's payload. Layout (ENGINE.md):
 * {@code u8 kind [| 0x80 if conditional] | varint keyLength | key | varint requestIdLength | requestId
 * [| varint expectedVersion if conditional] | value (rest, puts only)}.
 * The client request id and the expected version ride in the log so that every replica that
 * applies the record decides the same: a retry is recognised and a condition is evaluated at
 * apply time, against the key's version there.
 *
 * @param expectedVersion {@link #UNCONDITIONAL}, 0 (the key must be absent) or the version (log
 *                        offset of the last write) the key must have for the mutation to apply
 */
public record Mutation(Kind kind, byte[] key, byte[] value, byte[] requestId, long expectedVersion) {

    /** No condition: the mutation applies whatever the key's version. */
    public static final long UNCONDITIONAL = -1;
    /** Flag in the kind byte: an expected version follows the request id. */
    static final int CONDITIONAL_FLAG = 0x80;

    public Mutation(Kind kind, byte[] key, byte[] value, byte[] requestId) {
        this(kind, key, value, requestId, UNCONDITIONAL);
    }

    public Mutation {
        if (expectedVersion < UNCONDITIONAL) {
            throw new IllegalArgumentException("expected version " + expectedVersion + " is negative");
        }
        if ((kind == Kind.EPOCH_START || kind == Kind.SPLIT) && expectedVersion != UNCONDITIONAL) {
            throw new IllegalArgumentException("an " + kind + " record has no condition");
        }
    }

    public enum Kind {
        /**
         * EPOCH_START opens a leader epoch (DESIGN.md §3, the commit rule): a leader appends it first
         * in each epoch so that entries of older epochs commit only together with an entry of its
         * own. Empty key and request id; applying it changes no key.
         *
         * <p>SPLIT is a partition split (DESIGN.md §5): the partition's state at that offset becomes
         * the two children's ({@link SplitEntry} in the value; ENGINE.md, "Split entry"). Empty key
         * and request id.
         */
        PUT(1), DELETE(2), EPOCH_START(3), SPLIT(4);

        final int code;

        Kind(int code) {
            this.code = code;
        }
    }

    private static final byte[] EMPTY = new byte[0];

    public static Mutation put(byte[] key, byte[] value) {
        return new Mutation(Kind.PUT, key, value, EMPTY);
    }

    public static Mutation delete(byte[] key) {
        return new Mutation(Kind.DELETE, key, EMPTY, EMPTY);
    }

    /** The record a leader appends first in its epoch; encodes as {@code 03 00 00}. */
    public static Mutation epochStart() {
        return new Mutation(Kind.EPOCH_START, EMPTY, EMPTY, EMPTY);
    }

    /** The split entry of a partition split; encodes as {@code 04 00 00} followed by the entry's bytes. */
    public static Mutation split(SplitEntry entry) {
        return new Mutation(Kind.SPLIT, EMPTY, entry.encode(), EMPTY);
    }

    /** A put or delete carrying the client's request id (for idempotent retries). */
    public Mutation withRequestId(byte[] id) {
        return new Mutation(kind, key, value, id, expectedVersion);
    }

    /** A put or delete that applies only if the key's version is then expected (0: the key is absent). */
    public Mutation ifVersion(long expected) {
        if (expected < 0) {
            throw new IllegalArgumentException("expected version " + expected + " is negative");
        }
        return new Mutation(kind, key, value, requestId, expected);
    }

    public boolean conditional() {
        return expectedVersion != UNCONDITIONAL;
    }

    public byte[] encode() {
        int len = 1 + Coding.varintLength(key.length) + key.length + Coding.varintLength(requestId.length)
                + requestId.length + (conditional() ? Coding.varintLength(expectedVersion) : 0)
                + (carriesValue() ? value.length : 0);
        byte[] out = new byte[len];
        out[0] = (byte) (kind.code | (conditional() ? CONDITIONAL_FLAG : 0));
        int p = Coding.putVarint(out, 1, key.length);
        System.arraycopy(key, 0, out, p, key.length);
        p += key.length;
        p = Coding.putVarint(out, p, requestId.length);
        System.arraycopy(requestId, 0, out, p, requestId.length);
        p += requestId.length;
        if (conditional()) {
            p = Coding.putVarint(out, p, expectedVersion);
        }
        if (carriesValue()) {
            System.arraycopy(value, 0, out, p, value.length);
        }
        return out;
    }

    /** Puts carry the value, split entries their {@link SplitEntry}: the rest of the payload. */
    private boolean carriesValue() {
        return kind == Kind.PUT || kind == Kind.SPLIT;
    }

    /** Decodes a payload; bad bytes give a CorruptionException naming where the record came from. */
    public static Mutation decode(byte[] b, String source, long offset) {
        if (b.length < 1) {
            throw new CorruptionException(source, offset, "empty mutation payload");
        }
        boolean conditional = (b[0] & CONDITIONAL_FLAG) != 0;
        Kind kind = switch (b[0] & ~CONDITIONAL_FLAG & 0xFF) {
            case 1 -> Kind.PUT;
            case 2 -> Kind.DELETE;
            case 3 -> Kind.EPOCH_START;
            case 4 -> Kind.SPLIT;
            default -> throw new CorruptionException(source, offset, "unknown mutation kind " + b[0]);
        };
        if (conditional && (kind == Kind.EPOCH_START || kind == Kind.SPLIT)) {
            throw new CorruptionException(source, offset, "a conditional " + kind + " record");
        }
        int[] pos = {1};
        byte[] key = lengthPrefixed(b, pos, source, offset);
        byte[] requestId = lengthPrefixed(b, pos, source, offset);
        long expected = conditional ? varint(b, pos, source, offset) : UNCONDITIONAL;
        byte[] value = EMPTY;
        if (kind == Kind.PUT || kind == Kind.SPLIT) {
            value = Arrays.copyOfRange(b, pos[0], b.length);
        } else if (pos[0] != b.length) {
            throw new CorruptionException(source, offset, "trailing bytes after a " + kind);
        }
        if ((kind == Kind.EPOCH_START || kind == Kind.SPLIT) && (key.length != 0 || requestId.length != 0)) {
            throw new CorruptionException(source, offset, "an " + kind + " record has a key or request id");
        }
        if (kind == Kind.SPLIT) {
            SplitEntry.decode(value, source, offset); // fails loudly here rather than at apply time
        }
        return new Mutation(kind, key, value, requestId, expected);
    }

    private static long varint(byte[] b, int[] pos, String source, long offset) {
        long v = 0;
        int shift = 0;
        while (true) {
            if (pos[0] >= b.length || shift > 56) {
                throw new CorruptionException(source, offset, "bad varint in mutation payload");
            }
            byte x = b[pos[0]++];
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return v;
            }
            shift += 7;
        }
    }

    private static byte[] lengthPrefixed(byte[] b, int[] pos, String source, long offset) {
        long len = 0;
        int shift = 0;
        while (true) {
            if (pos[0] >= b.length || shift > 28) {
                throw new CorruptionException(source, offset, "bad length in mutation payload");
            }
            byte x = b[pos[0]++];
            len |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                break;
            }
            shift += 7;
        }
        if (len > b.length - pos[0]) {
            throw new CorruptionException(source, offset, "length " + len + " runs past the mutation payload");
        }
        byte[] out = Arrays.copyOfRange(b, pos[0], pos[0] + (int) len);
        pos[0] += (int) len;
        return out;
    }
}
