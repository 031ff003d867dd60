package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalKey;

import java.util.Arrays;

/**
 * The index block of an open table, decoded once into flat arrays: separator keys back to back in
 * one byte array, and each data block's offset and size. A lookup is a binary search that
 * compares the separators where they lie, so it allocates nothing and touches log2(blocks) keys.
 *
 * <p>To keep the search in cache for large indexes, each separator also has an 8-byte digest:
 * the 8 user-key bytes that follow the prefix all separators share, zero-padded, as an unsigned
 * long. Digests order like the keys whenever they differ (a zero pad sorts like "shorter"), so
 * the search compares digests from a dense long[] and reads the key bytes only on a tie.
 *
 * <p>Checked at decode: separators are internal keys in strictly increasing order, and data block
 * handles lie in ascending, non-overlapping order before the first meta block. Immutable.
 */
final class TableIndex {

    private final byte[] keys;
    /** keyEnd[i] is where separator i ends in keys; it starts at keyEnd[i - 1] (or 0). */
    private final int[] keyEnd;
    private final long[] offsets;
    private final int[] sizes;
    private final int count;
    /** Length of the user-key prefix shared by every separator. */
    private final int sharedPrefix;
    private final long[] digests;

    private TableIndex(byte[] keys, int[] keyEnd, long[] offsets, int[] sizes, int count) {
        this.keys = keys;
        this.keyEnd = keyEnd;
        this.offsets = offsets;
        this.sizes = sizes;
        this.count = count;
        if (count == 0) {
            this.sharedPrefix = 0;
        } else {
            int firstUser = keyEnd[0] - InternalKey.TRAILER;
            int lastStart = count == 1 ? 0 : keyEnd[count - 2];
            int lastUser = keyEnd[count - 1] - lastStart - InternalKey.TRAILER;
            int min = Math.min(firstUser, lastUser);
            int m = Arrays.mismatch(keys, 0, min, keys, lastStart, lastStart + min);
            this.sharedPrefix = m < 0 ? min : m;
        }
        this.digests = new long[count];
        for (int i = 0; i < count; i++) {
            int start = i == 0 ? 0 : keyEnd[i - 1];
            digests[i] = digest(keys, start + sharedPrefix, keyEnd[i] - InternalKey.TRAILER - start - sharedPrefix);
        }
    }

    /** Up to 8 bytes from off (len of them available) as a big-endian unsigned long, zero-padded. */
    private static long digest(byte[] b, int off, int len) {
        long d = 0;
        int n = Math.min(8, len);
        for (int i = 0; i < n; i++) {
            d |= (b[off + i] & 0xFFL) << (56 - 8 * i);
        }
        return d;
    }

    /** Decodes the index block; data blocks must end at or before dataEnd. */
    static TableIndex decode(Block block, long dataEnd) {
        BlockCursor c = BlockCursor.forInternalKeys();
        c.reset(block);
        c.seekToFirst();
        byte[] keys = new byte[256];
        int keyBytes = 0;
        int n = 0;
        int[] keyEnd = new int[16];
        long[] offsets = new long[16];
        int[] sizes = new int[16];
        long nextFree = 0;
        while (c.valid()) {
            int len = c.keyLength();
            if (n > 0) {
                int prevStart = n == 1 ? 0 : keyEnd[n - 2];
                if (KeyOrder.compare(keys, prevStart, keyBytes - prevStart, c.keyBuffer(), 0, len) >= 0) {
                    throw block.corrupt("index entry " + n + " is not after entry " + (n - 1));
                }
            }
            FieldReader r = new FieldReader(c.data(), c.valueOffset(), c.valueLength(), block.fileName,
                    block.fileOffset, BlockKind.INDEX);
            long off = r.varint64("data block offset of index entry " + n);
            int size = r.varint31("data block size of index entry " + n);
            r.expectEnd("index entry " + n);
            if (off < nextFree || size > TableFormat.MAX_BLOCK_SIZE
                    || off > dataEnd || size + (long) TableFormat.BLOCK_TRAILER_SIZE > dataEnd - off) {
                throw block.corrupt("index entry " + n + " points at data block (offset " + off + ", size " + size
                        + ") outside [" + nextFree + ", " + dataEnd + ")");
            }
            nextFree = off + size + TableFormat.BLOCK_TRAILER_SIZE;
            if (n == keyEnd.length) {
                keyEnd = Arrays.copyOf(keyEnd, n * 2);
                offsets = Arrays.copyOf(offsets, n * 2);
                sizes = Arrays.copyOf(sizes, n * 2);
            }
            if (keyBytes + len > keys.length) {
                keys = Arrays.copyOf(keys, Math.max(keyBytes + len, keys.length * 2));
            }
            System.arraycopy(c.keyBuffer(), 0, keys, keyBytes, len);
            keyBytes += len;
            keyEnd[n] = keyBytes;
            offsets[n] = off;
            sizes[n] = size;
            n++;
            c.next();
        }
        return new TableIndex(Arrays.copyOf(keys, keyBytes), Arrays.copyOf(keyEnd, n),
                Arrays.copyOf(offsets, n), Arrays.copyOf(sizes, n), n);
    }

    int count() {
        return count;
    }

    long offset(int i) {
        return offsets[i];
    }

    int size(int i) {
        return sizes[i];
    }

    /** Separator i, copied (for tests and debugging). */
    byte[] key(int i) {
        int start = i == 0 ? 0 : keyEnd[i - 1];
        return Arrays.copyOfRange(keys, start, keyEnd[i]);
    }

    /** Index of the first data block whose separator is >= (u[uOff, uOff + uLen), trailer); count() if none. */
    int find(byte[] u, int uOff, int uLen, long trailer) {
        int lo = 0;
        int hi = count;
        int p = sharedPrefix;
        if (count > 0 && uLen >= p && Arrays.equals(keys, 0, p, u, uOff, uOff + p)) {
            long target = digest(u, uOff + p, uLen - p);
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                int c = Long.compareUnsigned(digests[mid], target);
                if (c == 0) {
                    int start = mid == 0 ? 0 : keyEnd[mid - 1];
                    c = KeyOrder.compare(keys, start, keyEnd[mid] - start, u, uOff, uLen, trailer);
                }
                if (c < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int start = mid == 0 ? 0 : keyEnd[mid - 1];
            if (KeyOrder.compare(keys, start, keyEnd[mid] - start, u, uOff, uLen, trailer) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    int find(byte[] internalTarget) {
        int uLen = internalTarget.length - InternalKey.TRAILER;
        return find(internalTarget, 0, uLen, io.stratakv.storage.Coding.getLong(internalTarget, uLen));
    }

    /** Heap bytes held, for reporting table memory. */
    long memoryBytes() {
        return keys.length + 28L * count + 64;
    }
}
