package io.stratakv.zk.hash;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The key hash: which position on the 64-bit ring a key occupies, and so which partition owns it.
 *
 * <p><b>Fixed forever.</b> It is XXH64 (xxHash, 64-bit variant, as specified in
 * {@code xxhash_spec.md} v0.1.1) of the key's bytes with seed 0, exactly what
 * {@code xxhsum -H64} prints. Every partition range stored in ZooKeeper, every node's data and
 * every client's routing are defined on it: changing it (or its seed) would silently move every
 * key to another partition. The test vectors in {@code README.md} and {@code KeyHashTest} came
 * from the reference tool and must never be edited.
 *
 * <p>The result is read as an <em>unsigned</em> 64-bit position: compare with
 * {@link Long#compareUnsigned}, print with {@link HashRange#hex(long)}.
 *
 * <p>Allocation-free and thread-safe; reads the input as little-endian words, as the
 * specification requires.
 */
public final class KeyHash {

    /** The seed is part of the definition. */
    public static final long SEED = 0L;

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    /** Bytes consumed per round of the four-lane loop. */
    private static final int STRIPE = 32;

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private KeyHash() {
    }

    /** The ring position of {@code key}: XXH64(key, seed 0), unsigned. */
    public static long hash(byte[] key) {
        return hash(key, 0, key.length);
    }

    /** The ring position of the key stored in {@code b[off, off + len)}. */
    public static long hash(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        int end = off + len;
        int p = off;
        long h;
        if (len >= STRIPE) {
            long v1 = SEED + P1 + P2;
            long v2 = SEED + P2;
            long v3 = SEED;
            long v4 = SEED - P1;
            int limit = end - STRIPE;
            do {
                v1 = round(v1, (long) LONG_LE.get(b, p));
                v2 = round(v2, (long) LONG_LE.get(b, p + 8));
                v3 = round(v3, (long) LONG_LE.get(b, p + 16));
                v4 = round(v4, (long) LONG_LE.get(b, p + 24));
                p += STRIPE;
            } while (p <= limit);
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = mergeRound(h, v1);
            h = mergeRound(h, v2);
            h = mergeRound(h, v3);
            h = mergeRound(h, v4);
        } else {
            h = SEED + P5;
        }
        h += len;
        while (p + 8 <= end) {
            h ^= round(0, (long) LONG_LE.get(b, p));
            h = Long.rotateLeft(h, 27) * P1 + P4;
            p += 8;
        }
        if (p + 4 <= end) {
            h ^= ((int) INT_LE.get(b, p) & 0xFFFFFFFFL) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
            p += 4;
        }
        while (p < end) {
            h ^= (b[p] & 0xFFL) * P5;
            h = Long.rotateLeft(h, 11) * P1;
            p++;
        }
        // Avalanche.
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }

    private static long round(long acc, long input) {
        acc += input * P2;
        acc = Long.rotateLeft(acc, 31);
        return acc * P1;
    }

    private static long mergeRound(long acc, long val) {
        acc ^= round(0, val);
        return acc * P1 + P4;
    }
}
