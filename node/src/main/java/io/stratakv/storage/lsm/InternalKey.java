package io.stratakv.storage.lsm;

import io.stratakv.storage.Coding;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Internal keys: the user key followed by an 8-byte big-endian trailer {@code (sequence << 8) | type}.
 *
 * <p>Order: user key ascending (unsigned bytes), then trailer descending, so the newest version of
 * a key comes first and a seek to {@code (key, S, TYPE_SEEK)} lands on the newest version visible
 * at snapshot S. Sequence numbers use 56 bits.
 */
public final class InternalKey {

    public static final byte TYPE_DELETE = 0;
    public static final byte TYPE_PUT = 1;
    /** Highest type value: a seek key with it sorts before every real entry of the same sequence. */
    public static final byte TYPE_SEEK = TYPE_PUT;
    public static final long MAX_SEQUENCE = (1L << 56) - 1;
    public static final int TRAILER = 8;

    public static final Comparator<byte[]> COMPARATOR = InternalKey::compare;

    private InternalKey() {
    }

    public static byte[] encode(byte[] userKey, long sequence, byte type) {
        byte[] k = Arrays.copyOf(userKey, userKey.length + TRAILER);
        Coding.putLong(k, userKey.length, (sequence << 8) | (type & 0xFF));
        return k;
    }

    public static int userKeyLength(byte[] internalKey) {
        return internalKey.length - TRAILER;
    }

    public static byte[] userKey(byte[] internalKey) {
        return Arrays.copyOf(internalKey, internalKey.length - TRAILER);
    }

    public static long trailer(byte[] internalKey) {
        return Coding.getLong(internalKey, internalKey.length - TRAILER);
    }

    public static long sequence(byte[] internalKey) {
        return trailer(internalKey) >>> 8;
    }

    public static byte type(byte[] internalKey) {
        return (byte) trailer(internalKey);
    }

    public static int compare(byte[] a, byte[] b) {
        int c = Arrays.compareUnsigned(a, 0, a.length - TRAILER, b, 0, b.length - TRAILER);
        if (c != 0) {
            return c;
        }
        return Long.compareUnsigned(trailer(b), trailer(a));
    }

    /** Compares the user-key part of an internal key with a plain user key. */
    public static int compareUserKey(byte[] internalKey, byte[] userKey) {
        return Arrays.compareUnsigned(internalKey, 0, internalKey.length - TRAILER, userKey, 0, userKey.length);
    }

    public static boolean sameUserKey(byte[] a, byte[] b) {
        return Arrays.equals(a, 0, a.length - TRAILER, b, 0, b.length - TRAILER);
    }

    public static String describe(byte[] internalKey) {
        return new String(internalKey, 0, Math.max(0, internalKey.length - TRAILER), java.nio.charset.StandardCharsets.ISO_8859_1)
                + "@" + sequence(internalKey) + (type(internalKey) == TYPE_DELETE ? ":del" : ":put");
    }
}
