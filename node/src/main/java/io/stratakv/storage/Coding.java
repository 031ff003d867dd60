package io.stratakv.storage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Fixed-width big-endian integers and unsigned LEB128 varints on byte arrays. Every on-disk format
 * of StrataKV is built from these; the format documents refer to them as u32, u64 and varint.
 */
public final class Coding {

    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Coding() {
    }

    public static void putInt(byte[] b, int off, int v) {
        INT_BE.set(b, off, v);
    }

    public static int getInt(byte[] b, int off) {
        return (int) INT_BE.get(b, off);
    }

    public static void putLong(byte[] b, int off, long v) {
        LONG_BE.set(b, off, v);
    }

    public static long getLong(byte[] b, int off) {
        return (long) LONG_BE.get(b, off);
    }

    /** Writes v as an unsigned varint at off; returns the offset after it. */
    public static int putVarint(byte[] b, int off, long v) {
        while ((v & ~0x7FL) != 0) {
            b[off++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[off++] = (byte) v;
        return off;
    }

    public static int varintLength(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
