package io.stratakv.storage;

import java.io.Closeable;

/** A forward cursor over user entries (newest visible version of each key, deletions hidden). */
public interface KvIterator extends Closeable {

    /** Moves to the next entry; false at the end. Call before the first key(). */
    boolean next();

    byte[] key();

    byte[] value();

    @Override
    void close();
}
