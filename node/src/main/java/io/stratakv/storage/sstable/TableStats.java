package io.stratakv.storage.sstable;

import java.util.concurrent.atomic.LongAdder;

/**
 * Read-path counters, shared by every table reader of a store (LongAdder: cheap under contention).
 * bloomNegatives are the lookups the filter saved; blockReads are data blocks read from the file.
 */
public final class TableStats {

    private final LongAdder bloomChecks = new LongAdder();
    private final LongAdder bloomNegatives = new LongAdder();
    private final LongAdder blockReads = new LongAdder();
    private final LongAdder blockBytesRead = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();

    void bloomCheck(boolean negative) {
        bloomChecks.increment();
        if (negative) {
            bloomNegatives.increment();
        }
    }

    void blockRead(int bytes) {
        blockReads.increment();
        blockBytesRead.add(bytes);
    }

    void cacheHit() {
        cacheHits.increment();
    }

    void cacheMiss() {
        cacheMisses.increment();
    }

    public long bloomChecks() {
        return bloomChecks.sum();
    }

    /** Filter checks that answered "absent", each one a block read avoided. */
    public long bloomNegatives() {
        return bloomNegatives.sum();
    }

    /** Data blocks read from files (cache misses and reads that bypass the cache). */
    public long blockReads() {
        return blockReads.sum();
    }

    /** Bytes of those reads, trailers included. */
    public long blockBytesRead() {
        return blockBytesRead.sum();
    }

    public long cacheHits() {
        return cacheHits.sum();
    }

    public long cacheMisses() {
        return cacheMisses.sum();
    }

    @Override
    public String toString() {
        return "TableStats[bloomChecks=" + bloomChecks() + ", bloomNegatives=" + bloomNegatives()
                + ", blockReads=" + blockReads() + ", cacheHits=" + cacheHits() + ", cacheMisses=" + cacheMisses() + "]";
    }
}
