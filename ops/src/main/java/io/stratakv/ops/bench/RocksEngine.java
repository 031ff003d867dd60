package io.stratakv.ops.bench;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Statistics;
import org.rocksdb.StatsLevel;
import org.rocksdb.TickerType;
import org.rocksdb.WriteOptions;

import java.nio.file.Path;
import java.util.List;

/**
 * RocksDB through its JNI binding, set up to compare with StrataKV's engine:
 * WAL on without per-write sync (like StrataKV's log with FsyncPolicy.NEVER: both leave the log
 * in the page cache), 64 MiB memtables, a 10-bit bloom filter, an LRU block cache of the same size
 * as StrataKV's, 4 KiB blocks, no compression, leveled compaction, 2 background jobs. Everything
 * else keeps RocksDB's defaults.
 *
 * <p>Bytes written to files = Statistics tickers WAL_FILE_BYTES + FLUSH_WRITE_BYTES +
 * COMPACT_WRITE_BYTES (the same three kinds StrataKV counts: log, flush, compaction; the MANIFEST
 * and OPTIONS files are left out on both sides). Live file bytes = property
 * rocksdb.live-sst-files-size (SSTables of the current version; obsolete files not yet deleted
 * are not counted).
 */
final class RocksEngine implements BenchEngine {

    static final long MEMTABLE_BYTES = 64L << 20;
    static final int BLOOM_BITS_PER_KEY = 10;
    static final int BLOCK_BYTES = 4096;
    static final int BACKGROUND_JOBS = 2;
    private static final long COMPACTION_POLL_MILLIS = 10;

    static {
        RocksDB.loadLibrary();
    }

    private final LRUCache cache;
    private final BloomFilter filter;
    private final Statistics statistics;
    private final Options options;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;
    private final RocksDB db;

    private RocksEngine(Path dir, long cacheBytes) throws RocksDBException {
        cache = new LRUCache(cacheBytes);
        filter = new BloomFilter(BLOOM_BITS_PER_KEY, false);
        statistics = new Statistics();
        // Tickers only matter here; the default level also keeps histograms, which costs a little.
        statistics.setStatsLevel(StatsLevel.EXCEPT_DETAILED_TIMERS);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(filter)
                .setBlockSize(BLOCK_BYTES);
        options = new Options()
                .setCreateIfMissing(true)
                .setWriteBufferSize(MEMTABLE_BYTES)
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setBottommostCompressionType(CompressionType.NO_COMPRESSION)
                .setCompactionStyle(CompactionStyle.LEVEL)
                .setMaxBackgroundJobs(BACKGROUND_JOBS)
                .setStatistics(statistics)
                .setTableFormatConfig(table);
        writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
        readOptions = new ReadOptions();
        db = RocksDB.open(options, dir.toString());
    }

    static RocksEngine open(Path dir, long cacheBytes) {
        try {
            return new RocksEngine(dir, cacheBytes);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot open RocksDB in " + dir, e);
        }
    }

    /** One line for the benchmark's header. */
    static String describe(long cacheBytes) {
        RocksDB.Version v = RocksDB.rocksdbVersion();
        return "RocksDB " + v + " (rocksdbjni): WAL on, sync=false; write_buffer_size=64 MiB; "
                + "bloom 10 bits/key; LRU block cache " + (cacheBytes >> 20) + " MiB; block_size=4 KiB; "
                + "no compression; leveled compaction; max_background_jobs=2; other options default";
    }

    @Override
    public void put(byte[] key, byte[] value) {
        try {
            db.put(writeOptions, key, value);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB put failed", e);
        }
    }

    @Override
    public byte[] get(byte[] key) {
        try {
            return db.get(readOptions, key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB get failed", e);
        }
    }

    @Override
    public void delete(byte[] key) {
        try {
            db.delete(writeOptions, key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB delete failed", e);
        }
    }

    @Override
    public Cursor scan(byte[] fromInclusive) {
        RocksIterator it = db.newIterator(readOptions);
        if (fromInclusive == null) {
            it.seekToFirst();
        } else {
            it.seek(fromInclusive);
        }
        return new Cursor() {
            private boolean started;

            @Override
            public boolean next() {
                if (started) {
                    it.next();
                }
                started = true;
                if (it.isValid()) {
                    return true;
                }
                try {
                    it.status();
                } catch (RocksDBException e) {
                    throw new IllegalStateException("RocksDB iterator failed", e);
                }
                return false;
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
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB flush failed", e);
        }
    }

    /** The Java binding has no WaitForCompact, so this polls the properties that tell. */
    @Override
    public void waitForCompactions() {
        List<String> busy = List.of("rocksdb.num-running-flushes", "rocksdb.mem-table-flush-pending",
                "rocksdb.num-running-compactions", "rocksdb.compaction-pending");
        try {
            while (true) {
                boolean idle = true;
                for (String property : busy) {
                    idle &= db.getLongProperty(property) == 0;
                }
                if (idle) {
                    return;
                }
                Thread.sleep(COMPACTION_POLL_MILLIS);
            }
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB property read failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for RocksDB compactions", e);
        }
    }

    @Override
    public long liveFileBytes() {
        try {
            return db.getLongProperty("rocksdb.live-sst-files-size");
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB property read failed", e);
        }
    }

    @Override
    public long bytesWrittenToFiles() {
        return statistics.getTickerCount(TickerType.WAL_FILE_BYTES)
                + statistics.getTickerCount(TickerType.FLUSH_WRITE_BYTES)
                + statistics.getTickerCount(TickerType.COMPACT_WRITE_BYTES);
    }

    @Override
    public void close() {
        try {
            db.closeE();
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB close failed", e);
        } finally {
            readOptions.close();
            writeOptions.close();
            options.close();
            statistics.close();
            filter.close();
            cache.close();
        }
    }
}
