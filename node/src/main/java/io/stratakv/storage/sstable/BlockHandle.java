package io.stratakv.storage.sstable;

/**
 * Where a block lives in a table file: the offset of its first byte and the length of its
 * contents, not counting the 5-byte trailer that follows it on disk.
 */
record BlockHandle(long offset, int size) {

    /** The end of the block on disk, trailer included. */
    long end() {
        return offset + size + TableFormat.BLOCK_TRAILER_SIZE;
    }
}
