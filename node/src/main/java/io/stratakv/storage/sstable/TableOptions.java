package io.stratakv.storage.sstable;

/**
 * How a table is built. Readers need none of it: everything a reader needs is in the file.
 *
 * @param blockSize       target size in bytes of a data block's contents; a block is cut once it
 *                        reaches this size, so a block exceeds it by at most one entry
 * @param restartInterval entries between restart points in data blocks (keys at restart points
 *                        are stored whole; more means smaller blocks and slower seeks)
 * @param bloomBitsPerKey bloom filter bits per distinct user key; 10 gives about 1% false
 *                        positives; 0 writes no filter
 */
public record TableOptions(int blockSize, int restartInterval, int bloomBitsPerKey) {

    public TableOptions {
        if (blockSize < 1 || blockSize > (1 << 30)) {
            throw new IllegalArgumentException("blockSize must be in 1..2^30: " + blockSize);
        }
        if (restartInterval < 1) {
            throw new IllegalArgumentException("restartInterval must be >= 1: " + restartInterval);
        }
        if (bloomBitsPerKey < 0 || bloomBitsPerKey > 1000) {
            throw new IllegalArgumentException("bloomBitsPerKey must be in 0..1000: " + bloomBitsPerKey);
        }
    }

    /** 4 KiB blocks, a restart every 16 entries, 10 bloom bits per key. */
    public static TableOptions defaults() {
        return new TableOptions(4096, 16, 10);
    }
}
