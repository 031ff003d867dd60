package io.stratakv.storage;

import com.codahale.metrics.MetricRegistry;
import io.stratakv.storage.fs.StorageFs;

import java.io.Closeable;
import java.nio.file.Path;

/**
 * One partition's storage: its event log (the write-ahead log) materialised into an LSM tree.
 * SKELETON: the API the benchmark and the node code against; being implemented.
 */
public final class PartitionStore implements Closeable {

    private PartitionStore() {
    }

    /** Opens (creating if absent) the store in dir: log under dir/log, LSM tree under dir/lsm. */
    public static PartitionStore open(StorageFs fs, Path dir, StoreOptions options, MetricRegistry metrics) {
        throw new UnsupportedOperationException("being implemented");
    }

    /** Appends a put to the log and applies it; returns its log offset. */
    public long put(byte[] key, byte[] value) {
        throw new UnsupportedOperationException();
    }

    /** Appends a delete to the log and applies it; returns its log offset. */
    public long delete(byte[] key) {
        throw new UnsupportedOperationException();
    }

    /** The newest value of key, or null if absent or deleted. */
    public byte[] get(byte[] key) {
        throw new UnsupportedOperationException();
    }

    /** Entries with fromInclusive ≤ key < toExclusive (null: unbounded) in key order, on a consistent snapshot. */
    public KvIterator scan(byte[] fromInclusive, byte[] toExclusive) {
        throw new UnsupportedOperationException();
    }

    /** Flushes the memtables to SSTables and waits. */
    public void flush() {
        throw new UnsupportedOperationException();
    }

    /** Waits until no compaction is needed. */
    public void awaitCompactions() {
        throw new UnsupportedOperationException();
    }

    public StoreStats stats() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}
