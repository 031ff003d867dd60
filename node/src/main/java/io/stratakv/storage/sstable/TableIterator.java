package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalIterator;
import io.stratakv.storage.lsm.InternalKey;

/**
 * Two-level iterator over a table: a position in the in-memory index, and a {@link BlockCursor}
 * in the data block it names. key() and value() hand out fresh arrays, made once per position on
 * first request (a merging iterator asks for the key many times).
 */
final class TableIterator implements InternalIterator {

    private final TableReader table;
    private final TableIndex index;
    private final boolean fillCache;
    private final BlockCursor cursor = BlockCursor.forInternalKeys();
    /** The data block the cursor is in; index.count() when not valid. */
    private int block;
    private byte[] keyCopy;
    private byte[] valueCopy;

    TableIterator(TableReader table, boolean fillCache) {
        this.table = table;
        this.index = table.index();
        this.fillCache = fillCache;
        this.block = index.count();
    }

    @Override
    public boolean valid() {
        return block < index.count() && cursor.valid();
    }

    @Override
    public void seekToFirst() {
        enterBlock(0);
        if (block < index.count()) {
            cursor.seekToFirst();
        }
        skipEmptyBlocks();
    }

    @Override
    public void seek(byte[] internalTarget) {
        if (internalTarget.length < InternalKey.TRAILER) {
            throw new IllegalArgumentException("seek target of " + internalTarget.length + " bytes is not an internal key");
        }
        enterBlock(index.find(internalTarget));
        if (block < index.count()) {
            cursor.seek(internalTarget);
        }
        skipEmptyBlocks();
    }

    @Override
    public void next() {
        if (!valid()) {
            throw new IllegalStateException("next() on an exhausted table iterator");
        }
        keyCopy = null;
        valueCopy = null;
        cursor.next();
        skipEmptyBlocks();
    }

    @Override
    public byte[] key() {
        if (!valid()) {
            throw new IllegalStateException("key() on an invalid table iterator");
        }
        if (keyCopy == null) {
            keyCopy = cursor.copyKey();
        }
        return keyCopy;
    }

    @Override
    public byte[] value() {
        if (!valid()) {
            throw new IllegalStateException("value() on an invalid table iterator");
        }
        if (valueCopy == null) {
            valueCopy = cursor.copyValue();
        }
        return valueCopy;
    }

    @Override
    public void close() {
        block = index.count();
        cursor.reset(null);
    }

    /** While the cursor is past the end of its block, moves to the first entry of the next block. */
    private void skipEmptyBlocks() {
        while (block < index.count() && !cursor.valid()) {
            enterBlock(block + 1);
            if (block < index.count()) {
                cursor.seekToFirst();
            }
        }
    }

    private void enterBlock(int i) {
        keyCopy = null;
        valueCopy = null;
        block = i;
        cursor.reset(i < index.count() ? table.dataBlock(i, fillCache) : null);
    }
}
