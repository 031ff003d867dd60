package io.stratakv.storage.sstable;

import io.stratakv.storage.Coding;
import io.stratakv.storage.lsm.InternalKey;

import java.util.Arrays;

/**
 * {@link InternalKey#COMPARATOR} on byte ranges, so the read path compares keys where they lie
 * (in a block, in the index) against a target given as user key + trailer, without building arrays.
 */
final class KeyOrder {

    private KeyOrder() {
    }

    /**
     * Compares the internal key a[aOff, aOff + aLen) (aLen >= 8) with the internal key made of the
     * user key u[uOff, uOff + uLen) and the given trailer: user keys ascending, then trailers descending.
     */
    static int compare(byte[] a, int aOff, int aLen, byte[] u, int uOff, int uLen, long trailer) {
        int c = Arrays.compareUnsigned(a, aOff, aOff + aLen - InternalKey.TRAILER, u, uOff, uOff + uLen);
        if (c != 0) {
            return c;
        }
        return Long.compareUnsigned(trailer, Coding.getLong(a, aOff + aLen - InternalKey.TRAILER));
    }

    /** Compares two internal keys given as ranges (both lengths >= 8). */
    static int compare(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
        return compare(a, aOff, aLen, b, bOff, bLen - InternalKey.TRAILER,
                Coding.getLong(b, bOff + bLen - InternalKey.TRAILER));
    }

    /** Whether the internal key a[aOff, aOff + aLen) has the user key u[uOff, uOff + uLen). */
    static boolean hasUserKey(byte[] a, int aOff, int aLen, byte[] u, int uOff, int uLen) {
        return Arrays.equals(a, aOff, aOff + aLen - InternalKey.TRAILER, u, uOff, uOff + uLen);
    }
}
