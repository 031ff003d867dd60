package io.stratakv.storage.lsm;

import java.util.ArrayList;
import java.util.List;

/** Puts and deletes applied atomically: all get consecutive sequences and become visible together. */
public final class WriteBatch {

    record Op(byte type, byte[] key, byte[] value) {
    }

    private static final byte[] EMPTY = new byte[0];
    final List<Op> ops = new ArrayList<>(2);
    private long bytes;

    public WriteBatch put(byte[] key, byte[] value) {
        ops.add(new Op(InternalKey.TYPE_PUT, key, value));
        bytes += key.length + value.length;
        return this;
    }

    public WriteBatch delete(byte[] key) {
        ops.add(new Op(InternalKey.TYPE_DELETE, key, EMPTY));
        bytes += key.length;
        return this;
    }

    public int size() {
        return ops.size();
    }

    public long byteSize() {
        return bytes;
    }
}
