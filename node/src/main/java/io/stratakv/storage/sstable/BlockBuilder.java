package io.stratakv.storage.sstable;

import io.stratakv.storage.Coding;

import java.util.Arrays;

/**
 * Builds the contents of one block (data, index or properties) in a reusable buffer:
 *
 * <pre>
 *   entry*            varint shared | varint unshared | varint valueLength | key[shared..] | value
 *   restart offsets   u32 each, offsets of the entries stored with shared = 0
 *   restart count     u32
 * </pre>
 *
 * Every restartInterval-th entry (the first included) is a restart point and stores its key whole.
 * The caller guarantees key order; this class only encodes. Not thread-safe; reused after reset().
 */
final class BlockBuilder {

    private final int restartInterval;
    private byte[] buf = new byte[1024];
    private int size;
    private int[] restarts = new int[16];
    private int restartCount;
    private int sinceRestart;
    private byte[] lastKey = new byte[64];
    private int lastKeyLength;
    private int entryCount;
    private boolean finished;

    BlockBuilder(int restartInterval) {
        if (restartInterval < 1) {
            throw new IllegalArgumentException("restart interval must be >= 1: " + restartInterval);
        }
        this.restartInterval = restartInterval;
    }

    void add(byte[] key, byte[] value) {
        add(key, 0, key.length, value, 0, value.length);
    }

    void add(byte[] key, int keyOff, int keyLen, byte[] value, int valueOff, int valueLen) {
        if (finished) {
            throw new IllegalStateException("block already finished");
        }
        int shared = 0;
        if (sinceRestart >= restartInterval || entryCount == 0) {
            if (restartCount == restarts.length) {
                restarts = Arrays.copyOf(restarts, restarts.length * 2);
            }
            restarts[restartCount++] = size;
            sinceRestart = 0;
        } else {
            int max = Math.min(lastKeyLength, keyLen);
            int m = Arrays.mismatch(lastKey, 0, max, key, keyOff, keyOff + max);
            shared = m < 0 ? max : m;
        }
        int unshared = keyLen - shared;
        ensure(15 + unshared + (long) valueLen);
        size = Coding.putVarint(buf, size, shared);
        size = Coding.putVarint(buf, size, unshared);
        size = Coding.putVarint(buf, size, valueLen);
        System.arraycopy(key, keyOff + shared, buf, size, unshared);
        size += unshared;
        System.arraycopy(value, valueOff, buf, size, valueLen);
        size += valueLen;

        if (lastKey.length < keyLen) {
            lastKey = Arrays.copyOf(lastKey, Math.max(keyLen, lastKey.length * 2));
        }
        System.arraycopy(key, keyOff + shared, lastKey, shared, unshared);
        lastKeyLength = keyLen;
        sinceRestart++;
        entryCount++;
    }

    /** Bytes the block would have if finished now (trailer excluded). */
    int estimatedSize() {
        return size + 4 * restartCount + 4;
    }

    /** Size the block would have after adding an entry with these lengths (an upper bound). */
    long sizeAfter(int keyLen, int valueLen) {
        return (long) estimatedSize() + 15 + keyLen + valueLen + 4;
    }

    int entryCount() {
        return entryCount;
    }

    boolean isEmpty() {
        return entryCount == 0;
    }

    /**
     * Appends the restart array and count; returns the length of the contents. The buffer then
     * holds the contents at [0, length) with at least BLOCK_TRAILER_SIZE spare bytes after them.
     */
    int finish() {
        if (finished) {
            throw new IllegalStateException("block already finished");
        }
        ensure(4L * restartCount + 4 + TableFormat.BLOCK_TRAILER_SIZE);
        for (int i = 0; i < restartCount; i++) {
            Coding.putInt(buf, size, restarts[i]);
            size += 4;
        }
        Coding.putInt(buf, size, restartCount);
        size += 4;
        finished = true;
        return size;
    }

    /** The buffer holding the finished contents; valid until reset(). */
    byte[] buffer() {
        return buf;
    }

    void reset() {
        size = 0;
        restartCount = 0;
        sinceRestart = 0;
        lastKeyLength = 0;
        entryCount = 0;
        finished = false;
    }

    private void ensure(long extra) {
        long need = size + extra;
        if (need > TableFormat.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("block would exceed " + TableFormat.MAX_BLOCK_SIZE + " bytes");
        }
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(TableFormat.MAX_BLOCK_SIZE, Math.max(need, 2L * buf.length)));
        }
    }
}
