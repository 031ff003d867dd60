package io.stratakv.storage;

import io.stratakv.storage.log.FsyncPolicy;

import java.time.Duration;

/**
 * Engine settings with their defaults. Sizes in bytes.
 *
 * @param memtableBytes         a memtable becomes immutable and is flushed past this size
 * @param maxImmutableMemtables writes stall while this many memtables wait for flush
 * @param blockCacheBytes       memory budget of the block cache
 * @param blockSize             target size of an SSTable data block
 * @param bloomBitsPerKey       bloom filter bits per key (10 gives about 1% false positives)
 * @param targetFileBytes       compaction output files are cut near this size
 * @param l0CompactionTrigger   L0 file count that starts an L0 compaction
 * @param l0SlowdownTrigger     L0 file count at which each write is delayed
 * @param l0StopTrigger         L0 file count at which writes wait for compaction
 * @param levelBaseBytes        size target of L1; each further level is levelMultiplier times larger
 * @param levelMultiplier       growth between levels
 * @param compactionThreads     background compaction threads
 * @param maxKeyBytes           larger keys are refused with KEY_TOO_LARGE
 * @param maxValueBytes         larger values are refused with VALUE_TOO_LARGE
 * @param logSegmentBytes       log segments roll past this size
 * @param fsyncPolicy           when the log fsyncs
 * @param fsyncInterval         period of the INTERVAL policy
 */
public record StoreOptions(long memtableBytes, int maxImmutableMemtables, long blockCacheBytes, int blockSize,
                           int bloomBitsPerKey, long targetFileBytes, int l0CompactionTrigger,
                           int l0SlowdownTrigger, int l0StopTrigger, long levelBaseBytes, int levelMultiplier,
                           int compactionThreads, int maxKeyBytes, int maxValueBytes, long logSegmentBytes,
                           FsyncPolicy fsyncPolicy, Duration fsyncInterval) {

    public static StoreOptions defaults() {
        return new StoreOptions(64L << 20, 2, 128L << 20, 4096, 10, 32L << 20, 4, 12, 20,
                256L << 20, 10, 1, 16 * 1024, 4 << 20, 128L << 20, FsyncPolicy.INTERVAL, Duration.ofMillis(50));
    }

    public StoreOptions withMemtableBytes(long v) {
        return new StoreOptions(v, maxImmutableMemtables, blockCacheBytes, blockSize, bloomBitsPerKey, targetFileBytes,
                l0CompactionTrigger, l0SlowdownTrigger, l0StopTrigger, levelBaseBytes, levelMultiplier, compactionThreads,
                maxKeyBytes, maxValueBytes, logSegmentBytes, fsyncPolicy, fsyncInterval);
    }

    public StoreOptions withBlockCacheBytes(long v) {
        return new StoreOptions(memtableBytes, maxImmutableMemtables, v, blockSize, bloomBitsPerKey, targetFileBytes,
                l0CompactionTrigger, l0SlowdownTrigger, l0StopTrigger, levelBaseBytes, levelMultiplier, compactionThreads,
                maxKeyBytes, maxValueBytes, logSegmentBytes, fsyncPolicy, fsyncInterval);
    }

    public StoreOptions withFsyncPolicy(FsyncPolicy v) {
        return new StoreOptions(memtableBytes, maxImmutableMemtables, blockCacheBytes, blockSize, bloomBitsPerKey, targetFileBytes,
                l0CompactionTrigger, l0SlowdownTrigger, l0StopTrigger, levelBaseBytes, levelMultiplier, compactionThreads,
                maxKeyBytes, maxValueBytes, logSegmentBytes, v, fsyncInterval);
    }
}
