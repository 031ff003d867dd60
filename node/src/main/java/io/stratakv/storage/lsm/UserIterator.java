package io.stratakv.storage.lsm;

import io.stratakv.storage.KvIterator;

import java.util.Arrays;

/**
 * Turns merged internal entries into user entries as of one snapshot: skips versions newer than
 * the snapshot, yields only the newest remaining version of each key, hides deleted keys, and stops
 * at the upper bound. Closing it releases what it pinned (version, snapshot).
 */
final class UserIterator implements KvIterator {

    private final InternalIterator in;
    private final long snapshot;
    private final byte[] upperExclusive;
    private final Runnable onClose;
    private byte[] key;
    private byte[] value;
    private byte[] lastUserKey;
    private boolean started;
    private final byte[] lowerInclusive;
    private boolean closed;

    UserIterator(InternalIterator in, long snapshot, byte[] lowerInclusive, byte[] upperExclusive, Runnable onClose) {
        this.in = in;
        this.snapshot = snapshot;
        this.lowerInclusive = lowerInclusive;
        this.upperExclusive = upperExclusive;
        this.onClose = onClose;
    }

    @Override
    public boolean next() {
        if (closed) {
            return false;
        }
        if (!started) {
            started = true;
            if (lowerInclusive == null) {
                in.seekToFirst();
            } else {
                in.seek(InternalKey.encode(lowerInclusive, snapshot, InternalKey.TYPE_SEEK));
            }
        }
        while (in.valid()) {
            byte[] ik = in.key();
            if (upperExclusive != null && InternalKey.compareUserKey(ik, upperExclusive) >= 0) {
                break;
            }
            if (InternalKey.sequence(ik) > snapshot) {
                in.next();
                continue;
            }
            if (lastUserKey != null && InternalKey.compareUserKey(ik, lastUserKey) == 0) {
                in.next(); // an older version of a key already decided
                continue;
            }
            lastUserKey = InternalKey.userKey(ik);
            byte type = InternalKey.type(ik);
            byte[] v = in.value();
            in.next();
            if (type == InternalKey.TYPE_PUT) {
                key = lastUserKey;
                value = v;
                return true;
            }
        }
        key = null;
        value = null;
        close();
        return false;
    }

    @Override
    public byte[] key() {
        if (key == null) {
            throw new IllegalStateException("no current entry");
        }
        return key;
    }

    @Override
    public byte[] value() {
        if (value == null) {
            throw new IllegalStateException("no current entry");
        }
        return value;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            in.close();
            onClose.run();
        }
    }

    @Override
    public String toString() {
        return "UserIterator@" + snapshot + (key == null ? "" : " at " + Arrays.toString(key));
    }
}
