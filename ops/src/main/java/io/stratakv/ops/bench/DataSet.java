package io.stratakv.ops.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The benchmark's keys and values, the same bytes for every engine.
 *
 * <p>Key i (0 ≤ i &lt; N) is i as 16 ASCII decimal digits, zero-padded, so byte order is numeric
 * order and fillseq writes in key order. Values are 100 bytes cut at random offsets from a fixed
 * pool in which each 100-byte stretch is 50 random bytes written twice (db_bench's default
 * compression ratio of 0.5). Neither engine compresses in this benchmark, so that only matters
 * for anyone who turns compression on.
 */
public final class DataSet {

    public static final int KEY_BYTES = 16;
    public static final int VALUE_BYTES = 100;
    private static final int POOL_BYTES = 1 << 20;

    private final int keys;
    private final byte[] pool;

    public DataSet(int keys, long seed) {
        this.keys = keys;
        this.pool = new byte[POOL_BYTES];
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] half = new byte[VALUE_BYTES / 2];
        for (int off = 0; off < POOL_BYTES; off += VALUE_BYTES) {
            for (int j = 0; j < half.length; j++) {
                half[j] = (byte) (' ' + rnd.nextInt(95));
            }
            for (int j = 0; j < VALUE_BYTES && off + j < POOL_BYTES; j++) {
                pool[off + j] = half[j % half.length];
            }
        }
    }

    public int keys() {
        return keys;
    }

    /** Bytes of the live data when all N keys are present: the denominator of space amplification. */
    public long logicalBytes() {
        return (long) keys * (KEY_BYTES + VALUE_BYTES);
    }

    /** A fresh array holding key i (engines may keep the arrays they are given). */
    public static byte[] key(long i) {
        byte[] k = new byte[KEY_BYTES];
        long v = i;
        for (int p = KEY_BYTES - 1; p >= 0; p--) {
            k[p] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return k;
    }

    /** The index of a key made by {@link #key}, or -1 if it is not one. */
    public static long indexOf(byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            return -1;
        }
        long v = 0;
        for (byte b : key) {
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return v;
    }

    /** A fresh 100-byte value. */
    public byte[] value(SplittableRandom rnd) {
        int off = rnd.nextInt(POOL_BYTES - VALUE_BYTES);
        return Arrays.copyOfRange(pool, off, off + VALUE_BYTES);
    }

    /** The key indexes 0..N-1 in random order (Fisher–Yates). */
    public int[] permutation(SplittableRandom rnd) {
        int[] p = new int[keys];
        for (int i = 0; i < keys; i++) {
            p[i] = i;
        }
        for (int i = keys - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
