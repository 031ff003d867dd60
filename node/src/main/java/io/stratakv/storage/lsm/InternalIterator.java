package io.stratakv.storage.lsm;

import java.io.Closeable;

/**
 * A cursor over internal entries in {@link InternalKey#COMPARATOR} order: memtables, SSTables and
 * the merge of them all implement it. Not thread-safe. Keys and values returned stay valid after
 * next() (implementations hand out fresh arrays or arrays they never mutate).
 */
public interface InternalIterator extends Closeable {

    boolean valid();

    void seekToFirst();

    /** Positions at the first entry whose internal key is ≥ target. */
    void seek(byte[] internalTarget);

    void next();

    /** The internal key (user key + trailer). Only when valid(). */
    byte[] key();

    /** The value; empty for deletions. Only when valid(). */
    byte[] value();

    @Override
    default void close() {
    }
}
