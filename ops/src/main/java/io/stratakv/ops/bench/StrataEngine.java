package io.stratakv.ops.bench;

import com.codahale.metrics.MetricRegistry;
import io.stratakv.storage.KvIterator;
import io.stratakv.storage.PartitionStore;
import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.StoreStats;
import io.stratakv.storage.fs.RealFs;
import io.stratakv.storage.log.FsyncPolicy;

import java.nio.file.Path;

/**
 * StrataKV's storage engine (one PartitionStore) with the options that match RocksEngine: 64 MiB
 * memtables, the block cache of --cache-mb, and FsyncPolicy.NEVER, so the log (StrataKV's WAL) is
 * written on every put but not fsynced per write, as RocksDB's WAL with sync=false. Everything else
 * keeps StoreOptions.defaults().
 *
 * <p>Bytes written to files = StoreStats log + flush + compaction bytes; live file bytes =
 * StoreStats.liveSstBytes (SSTables of the current version).
 */
final class StrataEngine implements BenchEngine {

    private final PartitionStore store;

    private StrataEngine(PartitionStore store) {
        this.store = store;
    }

    static StoreOptions storeOptions(long cacheBytes) {
        return StoreOptions.defaults()
                .withBlockCacheBytes(cacheBytes)
                .withMemtableBytes(RocksEngine.MEMTABLE_BYTES)
                .withFsyncPolicy(FsyncPolicy.NEVER);
    }

    static StrataEngine open(Path dir, long cacheBytes) {
        return new StrataEngine(PartitionStore.open(RealFs.INSTANCE, dir, storeOptions(cacheBytes), new MetricRegistry()));
    }

    /** One line for the benchmark's header. */
    static String describe(long cacheBytes) {
        StoreOptions o = storeOptions(cacheBytes);
        return "StrataKV engine: log on, fsync " + o.fsyncPolicy() + "; memtable=" + (o.memtableBytes() >> 20)
                + " MiB (max " + o.maxImmutableMemtables() + " immutable); bloom " + o.bloomBitsPerKey()
                + " bits/key; block cache " + (o.blockCacheBytes() >> 20) + " MiB; block=" + o.blockSize()
                + " B; no compression; leveled, L0 trigger " + o.l0CompactionTrigger() + ", L1 "
                + (o.levelBaseBytes() >> 20) + " MiB x" + o.levelMultiplier() + "; compaction threads "
                + o.compactionThreads();
    }

    @Override
    public void put(byte[] key, byte[] value) {
        store.put(key, value);
    }

    @Override
    public byte[] get(byte[] key) {
        return store.get(key);
    }

    @Override
    public void delete(byte[] key) {
        store.delete(key);
    }

    @Override
    public Cursor scan(byte[] fromInclusive) {
        KvIterator it = store.scan(fromInclusive, null);
        return new Cursor() {
            @Override
            public boolean next() {
                return it.next();
            }

            @Override
            public byte[] key() {
                return it.key();
            }

            @Override
            public byte[] value() {
                return it.value();
            }

            @Override
            public void close() {
                it.close();
            }
        };
    }

    @Override
    public void flush() {
        store.flush();
    }

    @Override
    public void waitForCompactions() {
        store.awaitCompactions();
    }

    @Override
    public long liveFileBytes() {
        return store.stats().liveSstBytes();
    }

    @Override
    public long bytesWrittenToFiles() {
        StoreStats s = store.stats();
        return s.logBytesWritten() + s.flushBytesWritten() + s.compactionBytesWritten();
    }

    @Override
    public void close() {
        store.close();
    }
}
