package io.stratakv.storage.sstable;

import io.stratakv.storage.Coding;
import io.stratakv.storage.CorruptionException;
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
    /** Bytes the current key shares with the previous one. */
    private int lastShared;
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
        // Scan for the first key >= target. skipBelow = m >= 0 records that the last key matched
        // the target's user key on [0, m) and was smaller at byte m; a next key that shares more
        // than m bytes with it is then smaller too (sorted keys cannot get shorter than m there),
        // and needs no comparison.
        int skipBelow = -1;
        while (parseNext()) {
            if (skipBelow >= 0 && lastShared > skipBelow) {
                continue;
            }
            int userLen = keyLength - InternalKey.TRAILER;
            int m = Arrays.mismatch(key, 0, userLen, u, uOff, uOff + uLen);
            if (m < 0) {
                // Same user key: at or past the target once its sequence is <= the snapshot.
                if (Long.compareUnsigned(trailer, Coding.getLong(key, userLen)) >= 0) {
                    return;
                }
                skipBelow = -1;
            } else if (m < userLen && m < uLen) {
                if ((key[m] & 0xFF) > (u[uOff + m] & 0xFF)) {
                    return;
                }
                skipBelow = m;
            } else if (userLen > uLen) {
                return; // the target's user key is a proper prefix of this one
            } else {
                skipBelow = -1; // this user key is a proper prefix of the target's
            }
        }
    }

    /** Seek to an internal key given as an array. */
    void seek(byte[] internalTarget) {
        int uLen = internalTarget.length - InternalKey.TRAILER;
        seek(internalTarget, 0, uLen, Coding.getLong(internalTarget, uLen));
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
        byte[] d = data;
        int p = start;
        int shared;
        int unshared;
        int vlen;
        if (end - p >= 3 && (d[p] | d[p + 1] | d[p + 2]) >= 0) {
            // Fast path: all three lengths are one-byte varints (below 128).
            shared = d[p];
            unshared = d[p + 1];
            vlen = d[p + 2];
            p += 3;
        } else {
            pos = p;
            shared = varint();
            unshared = varint();
            vlen = varint();
            p = pos;
        }
        if (shared > keyLength || unshared > end - p || vlen > end - p - unshared || shared + unshared < minKeyLength) {
            throw badEntry(start, shared, unshared, vlen, end - p);
        }
        int kl = shared + unshared;
        if (kl > key.length) {
            key = Arrays.copyOf(key, Math.max(kl, key.length * 2));
        }
        System.arraycopy(d, p, key, shared, unshared);
        keyLength = kl;
        lastShared = shared;
        valueOffset = p + unshared;
        valueLength = vlen;
        current = start;
        next = p + unshared + vlen;
        return true;
    }

    private CorruptionException badEntry(int start, int shared, int unshared, int vlen, int left) {
        String what;
        if (shared > keyLength) {
            what = "shares " + shared + " bytes of a " + keyLength + "-byte previous key";
        } else if (unshared > left) {
            what = "has " + unshared + " key bytes, only " + left + " left";
        } else if (vlen > left - unshared) {
            what = "has a " + vlen + "-byte value, only " + (left - unshared) + " bytes left";
        } else {
            what = "has a " + (shared + unshared) + "-byte key, shorter than an internal key";
        }
        return block.corrupt("entry at " + start + " " + what);
    }

    /** A varint of at most 5 bytes whose value fits in a non-negative int, read at pos. */
    private int varint() {
        int p = pos;
        int v = 0;
        for (int shift = 0; ; shift += 7) {
            if (p >= end) {
                throw block.corrupt("varint at " + pos + " runs past the end of the entries");
            }
            int b = data[p++];
            if (shift == 28 && (b & 0xFF) > 0x07) {
                throw block.corrupt("varint at " + pos + " exceeds 2^31-1");
            }
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                pos = p;
                return v;
            }
        }
    }
}
