package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalKey;

import java.util.Arrays;

/**
 * A reusable position inside one {@link Block}. Seek is a binary search over the restart points,
 * comparing their keys where they lie in the block, then a forward scan that rebuilds each
 * prefix-compressed key in a private buffer. Nothing is allocated per entry; {@link #copyKey()} and
 * {@link #copyValue()} allocate exactly the bytes handed out.
 *
 * <p>Every length is checked against the bytes left in the block before it is used, so arbitrary
 * contents end in a CorruptionException, never in an index or size error. Not thread-safe: one
 * cursor per thread or iterator; {@link #reset} repoints it at another block.
 */
final class BlockCursor {

    /** 8 for blocks of internal keys (data, index), 0 for blocks of plain names (properties). */
    private final int minKeyLength;

    private Block block;
    private byte[] data;
    private int end;
    /** Offset of the current entry; == end when not valid. */
    private int current;
    /** Offset just past the current entry, where the next one starts. */
    private int next;
    private int pos;

    private byte[] key = new byte[64];
    private int keyLength;
    private int valueOffset;
    private int valueLength;

    BlockCursor(int minKeyLength) {
        this.minKeyLength = minKeyLength;
    }

    static BlockCursor forInternalKeys() {
        return new BlockCursor(InternalKey.TRAILER);
    }

    /** Points the cursor at block (not yet positioned), or at nothing when block is null. */
    void reset(Block b) {
        block = b;
        data = b == null ? null : b.data;
        end = b == null ? 0 : b.restartsOffset;
        current = end;
        next = end;
        keyLength = 0;
    }

    boolean valid() {
        return current < end;
    }

    void seekToFirst() {
        restartAt(0);
        parseNext();
    }

    void next() {
        parseNext();
    }

    /** Positions at the first entry whose internal key is >= (user key u[uOff, uOff + uLen), trailer). */
    void seek(byte[] u, int uOff, int uLen, long trailer) {
        int count = block.restartCount;
        if (count == 0) {
            current = end;
            next = end;
            return;
        }
        // Last restart point whose key is < target; restart 0 if none is.
        int lo = 0;
        int hi = count - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            pos = block.restart(mid);
            int shared = varint();
            int unshared = varint();
            varint();
            if (shared != 0) {
                throw block.corrupt("restart entry at " + block.restart(mid) + " shares " + shared + " key bytes");
            }
            if (unshared > end - pos || unshared < minKeyLength) {
                throw block.corrupt("restart entry at " + block.restart(mid) + " has a key of " + unshared + " bytes");
            }
            if (KeyOrder.compare(data, pos, unshared, u, uOff, uLen, trailer) < 0) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        restartAt(lo);
        while (parseNext()) {
            if (KeyOrder.compare(key, 0, keyLength, u, uOff, uLen, trailer) >= 0) {
                return;
            }
        }
    }

    /** Seek to an internal key given as an array. */
    void seek(byte[] internalTarget) {
        int uLen = internalTarget.length - InternalKey.TRAILER;
        seek(internalTarget, 0, uLen, io.stratakv.storage.Coding.getLong(internalTarget, uLen));
    }

    /** The buffer holding the current key at [0, keyLength()); overwritten by the next move. */
    byte[] keyBuffer() {
        return key;
    }

    int keyLength() {
        return keyLength;
    }

    byte[] data() {
        return data;
    }

    int valueOffset() {
        return valueOffset;
    }

    int valueLength() {
        return valueLength;
    }

    byte[] copyKey() {
        return Arrays.copyOf(key, keyLength);
    }

    byte[] copyValue() {
        return Arrays.copyOfRange(data, valueOffset, valueOffset + valueLength);
    }

    private void restartAt(int index) {
        keyLength = 0;
        if (index >= block.restartCount) {
            current = end;
            next = end;
        } else {
            next = block.restart(index);
        }
    }

    /** Decodes the entry at next; false (and not valid) at the end of the entries. */
    private boolean parseNext() {
        int start = next;
        if (start >= end) {
            current = end;
            next = end;
            return false;
        }
        pos = start;
        int shared = varint();
        int unshared = varint();
        int vlen = varint();
        if (shared > keyLength) {
            throw block.corrupt("entry at " + start + " shares " + shared + " bytes of a " + keyLength + "-byte previous key");
        }
        if (unshared > end - pos) {
            throw block.corrupt("entry at " + start + " has " + unshared + " key bytes, only " + (end - pos) + " left");
        }
        int keyEnd = pos + unshared;
        if (vlen > end - keyEnd) {
            throw block.corrupt("entry at " + start + " has a " + vlen + "-byte value, only " + (end - keyEnd) + " bytes left");
        }
        int kl = shared + unshared;
        if (kl < minKeyLength) {
            throw block.corrupt("entry at " + start + " has a " + kl + "-byte key, shorter than an internal key");
        }
        if (kl > key.length) {
            key = Arrays.copyOf(key, Math.max(kl, key.length * 2));
        }
        System.arraycopy(data, pos, key, shared, unshared);
        keyLength = kl;
        valueOffset = keyEnd;
        valueLength = vlen;
        current = start;
        next = keyEnd + vlen;
        return true;
    }

    /** A varint of at most 5 bytes whose value fits in a non-negative int, read at pos. */
    private int varint() {
        int p = pos;
        if (p >= end) {
            throw block.corrupt("varint at " + p + " runs past the end of the entries");
        }
        int b = data[p++];
        if (b >= 0) {
            pos = p;
            return b;
        }
        int v = b & 0x7F;
        for (int shift = 7; ; shift += 7) {
            if (p >= end) {
                throw block.corrupt("varint at " + pos + " runs past the end of the entries");
            }
            b = data[p++];
            if (shift == 28) {
                if ((b & 0xFF) > 0x07) {
                    throw block.corrupt("varint at " + pos + " exceeds 2^31-1");
                }
                v |= b << 28;
                break;
            }
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
        }
        pos = p;
        return v;
    }
}
